-- NTM dashboard: the DuckDB data model. Documented in docs/data-model.md; loaded by ntm/loader.py.
-- Every fact table carries (doc_id, line, section, original_text, note): a fact without a source cannot be loaded.

CREATE TABLE regions (
    region_code   VARCHAR PRIMARY KEY,      -- socio-economic region (DHNTB, DBSCL, ...)
    name_vi       VARCHAR NOT NULL
);

CREATE TABLE units (
    code          VARCHAR PRIMARY KEY,      -- GSO code as text, leading zeros kept
    name          VARCHAR NOT NULL,         -- without type prefix ("Diên Phước")
    full_name     VARCHAR NOT NULL,         -- with prefix ("Xã Diên Phước")
    name_norm     VARCHAR NOT NULL,         -- lower case, no diacritics, đ -> d
    level         VARCHAR NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
    type          VARCHAR NOT NULL,         -- Tỉnh, Thành phố, Huyện, Thị xã, Xã, Phường, Thị trấn, Thôn...
    parent_code   VARCHAR REFERENCES units (code),
    province_code VARCHAR NOT NULL,
    region_code   VARCHAR REFERENCES regions (region_code),
    in_programme  BOOLEAN,                  -- NULL = unknown
    programme_source VARCHAR,               -- how in_programme was established
    especially_difficult BOOLEAN,           -- xã ĐBKK / khu vực III; NULL = unknown
    mountainous   BOOLEAN,
    coastal       BOOLEAN,
    offshore      BOOLEAN NOT NULL DEFAULT FALSE,  -- Trường Sa
    valid_from    DATE,                     -- NULL = before the data's vintage
    valid_to      DATE,                     -- exclusive; NULL = still valid
    status_2025   VARCHAR,                  -- change noted on 2025-01-01 (merged, moved...)
    source        VARCHAR NOT NULL
);

-- Units through time (docs/data-model.md): identity apart from the GSO code, which the GSO reuses. `units` above is
-- the 2024-09-01 list that facts cite; unit_versions holds it again beside the units of later dates.
CREATE TABLE unit_versions (
    unit_id       VARCHAR PRIMARY KEY,      -- the GSO code for the 2024-09-01 list; code@YYYY-MM-DD for a later unit
    code          VARCHAR NOT NULL,         -- GSO code, reused across reforms
    name          VARCHAR NOT NULL,
    full_name     VARCHAR NOT NULL,
    name_norm     VARCHAR NOT NULL,
    level         VARCHAR NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    type          VARCHAR NOT NULL,
    valid_from    DATE,                     -- NULL = before the data's vintage
    valid_to      DATE,                     -- exclusive; NULL = still valid
    in_units      BOOLEAN NOT NULL,         -- a row of `units`: facts attach to it
    source        VARCHAR NOT NULL
);

CREATE TABLE unit_parents (                 -- a commune's district until 2025-07-01, its province before and after
    child_id      VARCHAR NOT NULL REFERENCES unit_versions (unit_id),
    parent_id     VARCHAR NOT NULL REFERENCES unit_versions (unit_id),
    valid_from    DATE,
    valid_to      DATE,
    source        VARCHAR NOT NULL
);

CREATE TABLE unit_changes (                 -- old -> new, loaded from data/geo/crosswalk_*.csv
    change_date   DATE NOT NULL,
    legal_basis   VARCHAR NOT NULL,
    item          VARCHAR,                  -- khoản of the resolution
    kind          VARCHAR NOT NULL CHECK (kind IN ('merge', 'split', 'rename', 'transfer', 'keep')),
    old_id        VARCHAR NOT NULL REFERENCES unit_versions (unit_id),
    new_id        VARCHAR NOT NULL REFERENCES unit_versions (unit_id),
    extent        VARCHAR NOT NULL CHECK (extent IN ('whole', 'part')),
    checked       VARCHAR NOT NULL CHECK (checked IN ('resolution_text', 'manual', 'corrected', 'contradicted',
                                                      'unconfirmed')),
    independent   VARCHAR,                  -- agreement of an independent list (data/geo/SOURCES.md)
    source        VARCHAR NOT NULL,
    note          VARCHAR
);

CREATE TABLE documents (
    doc_id        VARCHAR PRIMARY KEY,
    file          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,         -- bao_cao (report), ke_hoach (plan), import
    issuer        VARCHAR NOT NULL,
    number        VARCHAR,
    date          VARCHAR,                  -- ISO, as precise as the document (2024, 2024-01, 2024-03-08)
    date_text     VARCHAR,
    title         VARCHAR NOT NULL,
    province_code VARCHAR,
    district_code VARCHAR,
    note          VARCHAR
);

CREATE TABLE measures (
    measure       VARCHAR PRIMARY KEY,
    name_vi       VARCHAR NOT NULL,
    name_en       VARCHAR NOT NULL,
    unit          VARCHAR,
    unit_en       VARCHAR,                                                 -- the unit of measure in English
    better        VARCHAR NOT NULL CHECK (better IN ('higher', 'lower')),  -- which way is progress
    note          VARCHAR
);

-- Criteria rulebook (filled by the criteria-engine work; groups already used by the summary).
CREATE TABLE criteria_sets (
    set_code      VARCHAR PRIMARY KEY,
    name_vi       VARCHAR NOT NULL,
    name_en       VARCHAR NOT NULL,
    level         VARCHAR NOT NULL,         -- commune / district
    period        VARCHAR,
    n_criteria    INTEGER,
    n_indicators  INTEGER,                  -- NULL = not stated in the sources read
    legal_source  VARCHAR
);

-- Periods of the programme and what belongs to each (read by ntm/period.py; nothing about a period is in code).
CREATE TABLE periods (
    period        VARCHAR PRIMARY KEY,      -- 2021-2025, 2026-2030
    date_from     DATE NOT NULL,
    date_to       DATE NOT NULL,
    commune_set   VARCHAR NOT NULL,         -- the commune NTM set of the period
    target_year   INTEGER NOT NULL,
    programme_vi  VARCHAR NOT NULL,
    programme_en  VARCHAR NOT NULL,
    legal_source  VARCHAR NOT NULL
);

CREATE TABLE period_targets (               -- the programme's targets of a period (2030: as reported)
    period        VARCHAR NOT NULL,
    level         VARCHAR,                  -- ntm, hien_dai, hoan_thanh_nhiem_vu; NULL = not a recognition level
    target_year   INTEGER NOT NULL,
    measure       VARCHAR NOT NULL,
    value         DOUBLE NOT NULL,
    value_max     DOUBLE,
    comparator    VARCHAR NOT NULL,         -- >=, <=, ~ (about)
    certainty     VARCHAR NOT NULL,
    legal_source  VARCHAR NOT NULL,
    note          VARCHAR
);

CREATE TABLE commune_categories (           -- 2026-2030: thresholds by commune group (nhóm xã), not by region
    set_code      VARCHAR NOT NULL,
    category      VARCHAR NOT NULL,
    label_vi      VARCHAR NOT NULL,
    label_en      VARCHAR NOT NULL,
    definition_vi VARCHAR NOT NULL,
    definition_en VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    PRIMARY KEY (set_code, category)
);

CREATE TABLE commune_category_assignments ( -- which group a commune is in, as a source states it
    unit_id       VARCHAR NOT NULL,         -- unit_versions.unit_id (checked by the loader)
    set_code      VARCHAR NOT NULL,
    category      VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    note          VARCHAR
);

CREATE TABLE category_thresholds (          -- thresholds by commune group; none is known until loaded with a source
    set_code      VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    category      VARCHAR,                  -- NULL = every group
    province_code VARCHAR,
    year_from     INTEGER,
    year_to       INTEGER,
    comparator    VARCHAR,
    threshold     DOUBLE,                   -- NULL = unknown: never a pass
    threshold_text VARCHAR,
    certainty     VARCHAR NOT NULL CHECK (certainty IN ('confirmed', 'as_quoted', 'uncertain', 'text_only')),
    source        VARCHAR NOT NULL,
    note          VARCHAR
);

CREATE TABLE criteria (
    set_code      VARCHAR NOT NULL,
    criterion_no  VARCHAR NOT NULL,
    name_vi       VARCHAR NOT NULL,
    name_en       VARCHAR,
    PRIMARY KEY (set_code, criterion_no)
);

CREATE TABLE indicators (
    set_code      VARCHAR NOT NULL,
    criterion_no  VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    name_vi       VARCHAR,
    name_en       VARCHAR,
    unit          VARCHAR,
    kind          VARCHAR NOT NULL,         -- flag (1 = Đạt), numeric, composite, unknown
    both_sexes    BOOLEAN NOT NULL,         -- must hold for men and women separately
    source        VARCHAR,                  -- keys of data/rules/criteria/SOURCES.md
    note          VARCHAR,
    PRIMARY KEY (set_code, indicator_code)
);

CREATE TABLE thresholds (
    set_code      VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    region_code   VARCHAR,                  -- NULL = every region
    province_code VARCHAR,                  -- a province's own value overrides the region's
    year_from     INTEGER,                  -- NULL = year not stated (then certainty is 'uncertain')
    year_to       INTEGER,
    comparator    VARCHAR,                  -- NULL = unknown
    threshold     DOUBLE,                   -- NULL = unknown: never a pass
    threshold_text VARCHAR,                 -- as the source writes it
    certainty     VARCHAR NOT NULL CHECK (certainty IN ('confirmed', 'as_quoted', 'uncertain', 'text_only')),
    source        VARCHAR,
    note          VARCHAR
);

CREATE TABLE criteria_correspondence (     -- commune NTM criterion -> advanced-set criterion (K1 annex 1)
    ntm_criterion VARCHAR NOT NULL,
    advanced_criterion VARCHAR NOT NULL,
    source        VARCHAR,
    note          VARCHAR
);

CREATE TABLE commune_groups (
    set_code      VARCHAR NOT NULL,
    group_no      INTEGER NOT NULL,
    min_met       INTEGER NOT NULL,
    max_met       INTEGER NOT NULL,
    label_vi      VARCHAR NOT NULL,
    label_en      VARCHAR NOT NULL,
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    note          VARCHAR,
    PRIMARY KEY (set_code, group_no)
);

CREATE TABLE commune_points (               -- GeoNames point of a commune (CC BY 4.0); no point = not placed
    code          VARCHAR NOT NULL REFERENCES units (code),
    name          VARCHAR NOT NULL,
    district_code VARCHAR NOT NULL,
    lat           DOUBLE,
    lon           DOUBLE,
    source_id     VARCHAR,
    inside_district BOOLEAN
);

CREATE TABLE programme_scope (              -- how many communes of a unit are in the NTM programme, as stated
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    unit_type     VARCHAR NOT NULL,
    count         INTEGER NOT NULL,
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    note          VARCHAR
);

CREATE TABLE unmatched_names (              -- names a document lists that match no unit: kept, never guessed
    province_code VARCHAR NOT NULL,
    district_code VARCHAR,                  -- the district the document places it in, where it does
    written       VARCHAR NOT NULL,
    level         VARCHAR,
    year          INTEGER,
    kind          VARCHAR,
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    reason        VARCHAR NOT NULL,
    candidate_code VARCHAR,
    note          VARCHAR
);

CREATE TABLE programme_targets (           -- the national programme's targets (the default target lines)
    level         VARCHAR NOT NULL,
    target_year   INTEGER NOT NULL,
    share_pct     DOUBLE NOT NULL,
    comparator    VARCHAR NOT NULL,
    legal_source  VARCHAR NOT NULL,
    note          VARCHAR
);

CREATE TABLE share_pairs (                  -- a percentage measure and the count it is the share of
    share_measure VARCHAR NOT NULL,
    count_measure VARCHAR NOT NULL,
    note          VARCHAR
);

CREATE TABLE pending_markers (              -- wording that makes a stated figure expected or planned, not actual
    marker        VARCHAR NOT NULL,         -- matched, case-insensitive, in a fact's original_text and note
    kind          VARCHAR NOT NULL CHECK (kind IN ('expected', 'planned')),
    note          VARCHAR
);

CREATE TABLE stock_categories (             -- categories of a stated count that are a stock (units already at a level)
    category      VARCHAR PRIMARY KEY,
    stock_year    INTEGER,                  -- NULL = the year of the fact row
    basis_vi      VARCHAR NOT NULL,
    basis_en      VARCHAR NOT NULL,
    note          VARCHAR
);

CREATE TABLE reviewed_findings (            -- contradictions a data editor found that no rule catches
    province_code VARCHAR NOT NULL,
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    year          INTEGER,
    severity      VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    doc_id_2      VARCHAR NOT NULL REFERENCES documents (doc_id),
    line_2        INTEGER NOT NULL,
    section_2     VARCHAR,
    original_text_2 VARCHAR,
    note_vi       VARCHAR NOT NULL,
    note_en       VARCHAR NOT NULL
);

CREATE TABLE document_periods (             -- the years a document covers, as it states them
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    year_from     INTEGER NOT NULL,
    year_to       INTEGER NOT NULL,
    line          INTEGER NOT NULL,
    original_text VARCHAR,
    note          VARCHAR
);

CREATE TABLE count_lists (                  -- a count and the recognition level of the names that spell it out
    measure       VARCHAR NOT NULL,
    category      VARCHAR,
    level         VARCHAR NOT NULL,
    note          VARCHAR
);

-- Facts. Each ends with the same source columns.
CREATE TABLE reported_aggregates (
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    unit_name_original VARCHAR,
    year          INTEGER,
    set_code      VARCHAR,
    measure       VARCHAR NOT NULL REFERENCES measures (measure),
    category      VARCHAR,
    value         DOUBLE,
    denominator   DOUBLE,
    unit          VARCHAR,
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    note          VARCHAR
);

CREATE TABLE recognitions (
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    unit_name_original VARCHAR,
    level         VARCHAR NOT NULL CHECK (level IN ('xa_ntm', 'xa_nang_cao', 'xa_kieu_mau', 'huyen_ntm',
                                                    'huyen_nang_cao', 'hoan_thanh_nhiem_vu')),
    year          INTEGER,
    kind          VARCHAR NOT NULL CHECK (kind IN ('actual', 'planned')),
    decision      VARCHAR,
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    note          VARCHAR
);

CREATE TABLE targets (
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    unit_name_original VARCHAR,
    target_year   INTEGER,
    set_code      VARCHAR,
    measure       VARCHAR NOT NULL REFERENCES measures (measure),
    category      VARCHAR,
    value         DOUBLE,
    value_max     DOUBLE,
    denominator   DOUBLE,
    unit          VARCHAR,
    comparator    VARCHAR,
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    note          VARCHAR
);

CREATE TABLE funding (
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    unit_name_original VARCHAR,
    year          INTEGER,
    source        VARCHAR NOT NULL,
    capital_type  VARCHAR NOT NULL CHECK (capital_type IN ('investment', 'recurrent', 'all')),
    kind          VARCHAR NOT NULL CHECK (kind IN ('planned', 'allocated', 'mobilized', 'disbursed', 'need')),
    item          VARCHAR,
    amount_mvnd   DOUBLE NOT NULL,          -- million VND (triệu đồng)
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    note          VARCHAR
);

CREATE TABLE criteria_status (
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    unit_name_original VARCHAR,
    set_code      VARCHAR NOT NULL,
    criterion_no  VARCHAR NOT NULL,
    year          INTEGER,
    status        VARCHAR NOT NULL CHECK (status IN ('met', 'not_met')),
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    note          VARCHAR
);

CREATE TABLE indicator_values (
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    unit_name_original VARCHAR,
    set_code      VARCHAR,
    indicator_code VARCHAR NOT NULL,
    year          INTEGER,
    value         DOUBLE,
    value_text    VARCHAR,
    unit          VARCHAR,
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    note          VARCHAR
);

CREATE TABLE criteria_gaps (
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    unit_name_original VARCHAR,
    set_code      VARCHAR,
    year          INTEGER,
    criterion_no  VARCHAR,
    indicator_code VARCHAR,
    value         DOUBLE,
    value_text    VARCHAR,
    threshold_text VARCHAR,
    agency        VARCHAR,
    expected_time VARCHAR,
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    note          VARCHAR
);

CREATE TABLE criterion_agencies (
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    set_code      VARCHAR,
    criterion_no  VARCHAR,
    indicator_code VARCHAR,
    agency        VARCHAR NOT NULL,
    doc_id        VARCHAR NOT NULL REFERENCES documents (doc_id),
    line          INTEGER NOT NULL,
    section       VARCHAR,
    original_text VARCHAR,
    note          VARCHAR
);

-- Illustrative (generated) indicator values live apart from real ones and are never summed with them.
CREATE TABLE illustrative_indicator_values (
    unit_code     VARCHAR NOT NULL REFERENCES units (code),
    set_code      VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    value         DOUBLE,
    generator     VARCHAR NOT NULL          -- generator name + seed
);

CREATE TABLE build_info (
    key           VARCHAR PRIMARY KEY,
    value         VARCHAR
);
