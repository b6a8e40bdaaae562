"""End to end: `streamlit run` on 127.0.0.1, Debian's Chromium through Playwright (no browser download)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import ROOT

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium")
    return {"executable_path": CHROMIUM, "args": [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]}


@pytest.fixture(scope="session")
def browser_context_args():
    return {"viewport": {"width": 1440, "height": 1800}, "locale": "vi-VN"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def boundaries_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("var") / "boundaries"


@pytest.fixture(scope="session")
def server(db_path, tmp_path_factory, boundaries_dir):
    from ntm import accounts

    office = tmp_path_factory.mktemp("office")
    env = {"NTM_DB": str(db_path), "NTM_BOUNDARIES": str(boundaries_dir), "NTM_IMPORTS": str(office / "imports"),
           "NTM_ACCOUNTS": str(office / "accounts.json")}
    saved = os.environ.get("NTM_ACCOUNTS")
    os.environ["NTM_ACCOUNTS"] = env["NTM_ACCOUNTS"]
    try:
        accounts.add("bien.tap", EDITOR_PASSWORD, "editor")
    finally:
        os.environ.pop("NTM_ACCOUNTS") if saved is None else os.environ.__setitem__("NTM_ACCOUNTS", saved)
    yield from _serve(tmp_path_factory, env)


EDITOR_PASSWORD = "mat khau bien tap"


def _sign_in(page, server) -> None:
    """Sign in as the editor on the import page (the session keeps it while the app's own links are followed)."""
    page.goto(f"{server}/nhap-so-lieu?province=56&as_of=2023")
    page.get_by_role("heading", name="Nhập số liệu của địa phương").wait_for(timeout=60_000)
    _ready(page)
    _no_streamlit_dialog(page)
    page.get_by_label("Tài khoản").fill("bien.tap")
    page.get_by_label("Mật khẩu").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Đang đăng nhập: bien.tap").wait_for(timeout=60_000)
    _ready(page)


def _serve(tmp_path_factory, env: dict):
    """`streamlit run app.py` on a free port of 127.0.0.1 with `env` on top of ours; yields its URL."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("server") / "streamlit.log").open("w")
    env = {**os.environ, **env}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
                             "--server.port", str(port), "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def requests_seen(page):
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def _outside(urls):
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in LOCAL_HOSTS]


PAGES = [("", "Tổng quan kết quả xây dựng nông thôn mới"),  # the default page lives at the root
         ("tieu-chi-theo-huyen", "Kết quả thực hiện Bộ tiêu chí xã NTM theo huyện"),
         ("xa", "Danh sách xã"), ("ban-do", "Bản đồ kết quả xây dựng nông thôn mới"),
         ("lo-trinh-muc-tieu", "Lộ trình đạt chuẩn và mục tiêu"),
         ("nguon-von", "Nguồn vốn thực hiện Chương trình"),
         ("chat-luong-du-lieu", "Chất lượng dữ liệu: chỗ các văn bản không khớp"),
         ("so-lieu-theo-van-ban", "Số liệu theo văn bản"), ("xuat-bao-cao", "Xuất báo cáo Word"),
         ("nguon-phuong-phap", "Nguồn số liệu, phương pháp và giấy phép")]


def _bundles(urls) -> list[str]:
    """The plotly bundles a page loaded: the partial one its charts need (ui_plot.py), never Streamlit's full one."""
    return sorted({u.rsplit("/", 1)[-1] for u in urls if "/app/static/plotly-" in u
                   or "PlotlyChart" in u or "plotly.min" in u})


def _ready(page):
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_timeout(600)


@pytest.mark.parametrize("province", ["56", "58", "49", "84"])
@pytest.mark.parametrize(("path", "title"), PAGES)
def test_every_page(page, server, requests_seen, artifacts, path, title, province):
    """Every page of every province renders in the browser; a screenshot of each in test-artifacts/."""
    page.goto(f"{server}/{path}?province={province}&as_of=2023")
    page.get_by_role("heading", name=title).wait_for(timeout=60_000)
    _ready(page)
    assert not page.locator("[data-testid='stException']").count()
    _no_streamlit_dialog(page)
    page.screenshot(path=str(artifacts / f"page_{path or 'tong-quan'}_{province}.png"), full_page=True)
    assert _outside(requests_seen) == []


def test_criteria_by_district_page(page, server, requests_seen, artifacts):
    page.goto(server + "/tieu-chi-theo-huyen?province=58&year=2023")
    table = page.locator("[data-testid='stTable']").first
    table.wait_for(timeout=30_000)
    text = table.inner_text()
    for expected in ("Toàn tỉnh", "Bác Ái", "Ninh Hải", "16,47", "774", "13,67", "17,63"):
        assert expected in text
    page.get_by_text("Nguồn: Báo cáo số /BC-VPĐP").first.wait_for()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    _ready(page)
    assert page.locator(".js-plotly-plot .main-svg").count() >= 2  # the bar chart and the heat map drawn
    page.screenshot(path=str(artifacts / "criteria_by_district_vi.png"), full_page=True)
    assert _outside(requests_seen) == []
    assert _bundles(requests_seen) == ["plotly-cartesian.min.js"]


def test_a_chart_whose_bundle_cannot_load_says_so(page, server, requests_seen):
    """The chart's plotly bundle refused (a proxy, a broken install): the chart's place says so in words, the page's
    figures stay; nothing is fetched elsewhere instead."""
    page.route("**/app/static/plotly-*", lambda route: route.abort())
    page.goto(server + "/lo-trinh-muc-tieu?province=56&as_of=2023")
    page.get_by_text("Không tải được biểu đồ: hãy tải lại trang.").wait_for(timeout=60_000)
    _ready(page)
    assert page.locator(".js-plotly-plot").count() == 0
    assert page.get_by_role("heading", name="Lộ trình đạt chuẩn và mục tiêu").is_visible()
    assert _outside(requests_seen) == []


@pytest.mark.parametrize("path", ["../app.py", "..%2fapp.py", "%2e%2e/.streamlit/config.toml",
                                  "..%5c..%5cui.py", "/etc/passwd", "%2fetc%2fpasswd", "PLOTLY-LICENSE%00.js"])
def test_static_serving_gives_nothing_outside_static(server, path):
    """The charts' bundles are served from static/ (server.enableStaticServing): a crafted path reaches no other
    file of the server, only a refusal."""
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server}/app/static/{path}", timeout=10).close()
    assert refused.value.code in (400, 404)


def test_english_and_province_through_the_url(page, server, requests_seen, artifacts):
    page.goto(server + "/tieu-chi-theo-huyen?province=58&year=2023&lang=en")
    page.get_by_text("Commune NTM criteria results by district").wait_for(timeout=30_000)
    assert "Whole province" in page.locator("[data-testid='stTable']").first.inner_text()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    _ready(page)
    page.screenshot(path=str(artifacts / "criteria_by_district_en.png"), full_page=True)
    page.goto(server + "/?province=84&lang=en")
    page.get_by_role("heading", name="New rural development at a glance").wait_for(timeout=30_000)
    page.get_by_text("Trà Vinh").first.wait_for()
    assert _outside(requests_seen) == []


def test_language_switch_in_the_sidebar(page, server):
    page.goto(server + "/?province=56")
    page.get_by_role("heading", name="Tổng quan kết quả xây dựng nông thôn mới").wait_for(timeout=60_000)
    _ready(page)
    page.get_by_text("English").click()
    page.get_by_role("heading", name="New rural development at a glance").wait_for(timeout=30_000)
    assert "lang=en" in page.url


def test_downloads_png_and_xlsx(page, server, artifacts):
    from openpyxl import load_workbook

    page.goto(server + "/tieu-chi-theo-huyen?province=58&year=2023")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    _ready(page)
    with page.expect_download(timeout=90_000) as png:
        page.get_by_role("button", name="Tải PNG").first.click()
    data = Path(png.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    (artifacts / "export_criteria_by_district.png").write_bytes(data)
    with page.expect_download(timeout=60_000) as xlsx:
        page.get_by_role("button", name="Tải Excel").first.click()
    path = artifacts / "export_criteria_by_district.xlsx"
    path.write_bytes(Path(xlsx.value.path()).read_bytes())
    sheet = load_workbook(path).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert 774 in values and 16.47 in values and any("Nguồn" in str(v) for v in values)
    assert sheet.freeze_panes == "A5"


MAP_NAMES = {"56": ["Nha Trang", "Cam Ranh", "Cam Lâm", "Vạn Ninh", "Ninh Hòa", "Khánh Vĩnh", "Diên Khánh",
                     "Khánh Sơn"],
             "58": ["Phan Rang-Tháp Chàm", "Bác Ái", "Ninh Sơn", "Ninh Hải", "Ninh Phước", "Thuận Bắc", "Thuận Nam"],
             "49": ["Tam Kỳ", "Hội An", "Điện Bàn", "Nam Trà My"], "84": ["Càng Long", "Thị xã Duyên Hải"]}


@pytest.mark.parametrize("province", ["56", "58", "49", "84"])
def test_map_of_every_province(page, server, requests_seen, artifacts, province):
    """The map at 1440 px: the province's districts named on it (SVG text, no glyph server), nothing fetched."""
    page.goto(f"{server}/ban-do?province={province}&as_of=2023")
    page.get_by_role("heading", name="Bản đồ kết quả xây dựng nông thôn mới").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    _ready(page)
    page.wait_for_timeout(1500)  # the map draws after the figure
    _no_streamlit_dialog(page)
    written = page.locator(".js-plotly-plot .geo text").all_text_contents()
    assert set(MAP_NAMES[province]) <= set(written)
    assert "Trường Sa" not in written  # the archipelago stays a note beside the map
    page.screenshot(path=str(artifacts / f"map_{province}.png"), full_page=True)
    assert _bundles(requests_seen) == ["plotly-geo.min.js"]
    if province in ("56", "58"):  # the PNG for a report: drawn by kaleido, names included, nothing fetched
        with page.expect_download(timeout=120_000) as png:
            page.get_by_role("button", name="Tải PNG").first.click()
        image = Path(png.value.path()).read_bytes()
        assert image.startswith(b"\x89PNG")
        (artifacts / f"map_{province}_export.png").write_bytes(image)
    assert _outside(requests_seen) == []


def _inside(page, area: int) -> tuple[float, float]:
    """A point of the screen inside the map's `area`-th district (its fill, not only its box)."""
    return page.evaluate("""n => { const p = document.querySelectorAll('.js-plotly-plot .choroplethlocation')[n];
        const box = p.getBBox(), m = p.getScreenCTM(), point = p.ownerSVGElement.createSVGPoint();
        for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
            point.x = box.x + box.width * i / 20; point.y = box.y + box.height * j / 20;
            if (p.isPointInFill(point)) { const s = point.matrixTransform(m); return [s.x, s.y]; } }
        return null; }""", area)


def test_a_click_on_a_district_filters_the_map_and_the_filter_says_so(page, server, requests_seen, artifacts):
    """Khánh Hòa 2023: a click on a district shows it in "Chỉ xem huyện" and lists its communes only; choosing
    the whole province again stays (a click is reported once, never read again by a later run)."""
    page.goto(f"{server}/ban-do?province=56&as_of=2023")
    page.locator(".js-plotly-plot .choroplethlocation").first.wait_for(timeout=60_000)
    _ready(page)
    page.wait_for_timeout(1000)  # the map draws after the figure
    filter_box = page.locator("[data-testid='stSelectbox']").filter(has_text="Chỉ xem huyện")
    shown = filter_box.locator("input")  # the chosen option's name
    assert shown.input_value() == "Toàn tỉnh"
    page.mouse.click(*_inside(page, 3))
    page.wait_for_timeout(1000)
    _ready(page)
    assert shown.input_value() in MAP_NAMES["56"]
    page.screenshot(path=str(artifacts / "map_56_district_clicked.png"), full_page=True)
    filter_box.click()
    page.get_by_role("option", name="Toàn tỉnh").click()
    page.wait_for_timeout(1000)
    _ready(page)
    page.wait_for_timeout(1000)
    assert shown.input_value() == "Toàn tỉnh"
    assert _outside(requests_seen) == []


@pytest.fixture
def fresh_server(tmp_path_factory, db_path):
    yield from _serve(tmp_path_factory, {"NTM_DB": str(db_path), "NTM_WARM": "0"})


def test_first_deep_link_of_a_fresh_server(page, fresh_server, requests_seen):
    """The very first visit after the server starts, straight to the map: no "Page not found" dialog."""
    page.goto(f"{fresh_server}/ban-do?province=58&as_of=2023")
    page.get_by_role("heading", name="Bản đồ kết quả xây dựng nông thôn mới").wait_for(timeout=60_000)
    _ready(page)
    _no_streamlit_dialog(page)
    assert _outside(requests_seen) == []


@pytest.mark.parametrize(("lang", "notice", "heading"), [
    ("vi", "Không tìm thấy trang «**trang-cu**»; đang mở Tổng quan. Các trang: Tổng quan, Tiêu chí theo huyện",
     "Tổng quan kết quả xây dựng nông thôn mới"),
    ("en", "There is no page “**trang-cu**”; showing Overview. The pages: Overview, Criteria by district",
     "New rural development at a glance")])
def test_unknown_path_says_so_in_the_readers_language(page, server, requests_seen, artifacts, lang, notice, heading):
    """A mistyped or outdated link: our notice (the path as written, never markdown) and the valid pages, the
    overview under it, and no English dialog from Streamlit; the page stays usable (not hidden from assistive
    technology, scrolls)."""
    page.goto(f"{server}/**trang-cu**?province=58&as_of=2023&lang={lang}")
    page.get_by_role("heading", name=heading).wait_for(timeout=60_000)
    _ready(page)
    alert = page.locator("[data-testid='stAlert']").filter(has_text=notice)
    assert alert.count() == 1 and alert.locator("strong").count() == 0
    assert "Page not found" not in page.locator("body").inner_text()
    _no_streamlit_dialog(page)
    assert page.evaluate("getComputedStyle(document.documentElement).overflow") != "hidden"
    page.get_by_role("link", name="Bản đồ" if lang == "vi" else "Map", exact=True).click()  # and the app goes on
    page.get_by_role("heading", name="Bản đồ kết quả xây dựng nông thôn mới" if lang == "vi" else
                     "Map of new rural development").wait_for(timeout=60_000)
    _ready(page)
    assert page.locator("[data-testid='stAlert']").filter(has_text=notice).count() == 0
    page.goto(f"{server}/**trang-cu**?province=58&as_of=2023&lang={lang}")
    alert.wait_for(timeout=60_000)
    _ready(page)
    page.screenshot(path=str(artifacts / f"page_not_found_{lang}.png"))
    assert _outside(requests_seen) == []


def test_hostile_boundary_upload(page, server, requests_seen, artifacts, boundaries_dir):
    """A file named ../../evil.geojson whose feature name and source text hold a markdown image pointing off the
    machine: nothing is written outside the boundaries folder, the texts show literally, no request leaves."""
    pixel = "![x](http://ntm-attacker.invalid/pixel.png)"
    features = [{"type": "Feature", "properties": {"ma_xa": code, "ten_xa": name},
                 "geometry": {"type": "Polygon", "coordinates": [[[109 + i / 10, 12], [109.1 + i / 10, 12],
                                                                  [109.1 + i / 10, 12.1], [109 + i / 10, 12]]]}}
                for i, (code, name) in enumerate([("22435", "Cam Tân"), ("99999", pixel)])]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    _sign_in(page, server)  # uploading boundaries needs an editor
    page.get_by_role("link", name="Bản đồ").click()
    page.get_by_role("heading", name="Bản đồ kết quả xây dựng nông thôn mới").wait_for(timeout=60_000)
    _ready(page)
    page.get_by_text("Ranh giới xã của tỉnh").click()
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
        files=[{"name": "../../evil.geojson", "mimeType": "application/geo+json", "buffer": data}])
    page.get_by_label("Nguồn dữ liệu ranh giới").fill(pixel)
    page.get_by_label("Nguồn dữ liệu ranh giới").press("Enter")
    page.get_by_label("Giấy phép").fill("CC BY 4.0")
    page.get_by_label("Giấy phép").press("Enter")
    _ready(page)
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.get_by_text("Khớp 1/2 vùng").wait_for(timeout=60_000)
    _ready(page)
    page.get_by_role("button", name="Lưu ranh giới").click()
    page.get_by_text("Đã lưu ranh giới xã (1 xã)").wait_for(timeout=60_000)
    for place in (boundaries_dir.parent, boundaries_dir.parent.parent, Path("/tmp"), Path("/"), ROOT, ROOT.parent):
        assert not (place / "evil.geojson").exists(), place
    assert sorted(p.name for p in boundaries_dir.iterdir() if not p.name.startswith(".")) == ["56.geojson"]
    requests_seen.clear()
    page.goto(f"{server}/ban-do?province=56&as_of=2023")  # the next visit shows the saved source
    page.get_by_text("Ranh giới xã của tỉnh").wait_for(timeout=60_000)
    _ready(page)
    page.get_by_text(pixel).first.wait_for(timeout=30_000)  # shown as written
    assert page.locator("img[src*='ntm-attacker']").count() == 0
    page.screenshot(path=str(artifacts / "map_hostile_upload.png"), full_page=True)
    assert _outside(requests_seen) == []
    (boundaries_dir / "56.geojson").unlink()


MERGED = {"56@2025-07-01": "Khánh Hòa", "48@2025-07-01": "Đà Nẵng", "86@2025-07-01": "Vĩnh Long"}


@pytest.mark.parametrize("province", list(MERGED))
def test_every_page_of_a_merged_province(page, server, requests_seen, artifacts, province):
    """The provinces merged in 2025: every page renders without a district, a screenshot each."""
    for path, title in PAGES:
        page.goto(f"{server}/{path}?province={province}&as_of=2023")
        own = path in ("nguon-phuong-phap", "so-lieu-theo-van-ban", "xuat-bao-cao")  # pages with their own title
        heading = title if own else f"{MERGED[province]} — tỉnh sau sắp xếp 2025"
        page.get_by_role("heading", name=heading).wait_for(timeout=60_000)
        _ready(page)
        if path == "ban-do":
            page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
        assert not page.locator("[data-testid='stException']").count()
        page.screenshot(path=str(artifacts / f"merged_{province[:2]}_{path or 'tong-quan'}.png"), full_page=True)
    assert _outside(requests_seen) == []


@pytest.fixture(scope="module")
def import_server(tmp_path_factory):
    """A server with a database, an import folder and an editor account of its own."""
    from ntm import accounts, loader

    base = tmp_path_factory.mktemp("office")
    env = {"NTM_DB": str(base / "ntm.duckdb"), "NTM_IMPORTS": str(base / "imports"),
           "NTM_ACCOUNTS": str(base / "accounts.json"), "NTM_BOUNDARIES": str(base / "boundaries")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        loader.build(base / "ntm.duckdb")
        accounts.add("bien.tap", EDITOR_PASSWORD, "editor")
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    for url in _serve(tmp_path_factory, env):
        yield url, env


def test_import_upload_preview_apply_undo(page, import_server, requests_seen, artifacts):
    """An editor signs in, uploads a filled recognitions template (set_input_files), reads the preview, applies:
    the batch is in the history and its figure is in the database; undo puts the database back."""
    from openpyxl import load_workbook

    from ntm import store, templates

    url, env = import_server
    db = Path(env["NTM_DB"])
    con = store.connect(db)
    before = store.content_checksum(con)
    blank = templates.workbook(con, "recognitions", "56")
    con.close()
    path = artifacts / "import_recognitions_filled.xlsx"
    path.write_bytes(blank)
    wb = load_workbook(path)
    for j, v in enumerate(["22723", "Sơn Hiệp", "NTM", 2025, "15/QĐ-UBND", "10/06/2025", "Thực tế"], start=1):
        wb["Số liệu"].cell(row=2, column=j, value=v)
    wb.save(path)

    _sign_in(page, url)
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(path))
    page.get_by_text("1 dòng mới; 0 dòng trùng").wait_for(timeout=60_000)
    _ready(page)
    page.screenshot(path=str(artifacts / "import_preview.png"), full_page=True)
    page.get_by_role("button", name="Áp dụng").click()
    page.get_by_text("Đã áp dụng lô").wait_for(timeout=120_000)
    _ready(page)
    con = store.connect(db)
    assert con.execute("SELECT count(*) FROM recognitions r JOIN documents d USING (doc_id) WHERE d.kind = 'import' "
                       "AND r.unit_code = '22723' AND r.year = 2025 AND r.line = 2").fetchone()[0] == 1
    con.close()
    page.screenshot(path=str(artifacts / "import_applied.png"), full_page=True)
    page.get_by_role("button", name="Hoàn tác").click()
    page.get_by_text("Đã hoàn tác lô").wait_for(timeout=120_000)
    _ready(page)
    con = store.connect(db)
    assert store.content_checksum(con) == before
    con.close()
    page.screenshot(path=str(artifacts / "import_undone.png"), full_page=True)
    assert _outside(requests_seen) == []


def _no_streamlit_dialog(page):
    """Streamlit's English "Page not found" dialog never shows: not on a first deep link (the pages live in
    views/, not pages/), and an unknown path gets our own notice instead."""
    assert page.get_by_role("dialog").count() == 0


@pytest.mark.parametrize("province", ["56", "58", "49", "84"])
def test_overview_at_1440_and_390(page, server, requests_seen, artifacts, province):
    """The overview a leader reads first, on a desktop and on a phone; Khánh Hòa: 65 of 74, 9 to go, Ninh Hòa
    lags most."""
    page.goto(f"{server}/?province={province}&as_of=2023")
    page.get_by_role("heading", name="Tổng quan kết quả xây dựng nông thôn mới").wait_for(timeout=60_000)
    _ready(page)
    _no_streamlit_dialog(page)
    if province == "56":
        page.get_by_text("65/74 xã (2023) — còn 9 xã cho mục tiêu 2025").wait_for()
        ranked = page.locator("[data-testid='stTable']").first.inner_text()
        assert "Còn thiếu (xã)" in ranked and ranked.index("Ninh Hòa") < ranked.index("Cam Ranh")
    page.screenshot(path=str(artifacts / f"overview_{province}_1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / f"overview_{province}_390.png"), full_page=True)
    assert _outside(requests_seen) == []


def test_report_docx_from_the_browser(page, server, requests_seen, artifacts):
    """The Word report downloaded from "Xuất báo cáo": the group table as the report prints it (Ninh Thuận 2023:
    47 communes, 774 criteria, 16,47), the charts as images, a source footnote for every table and figure."""
    from docx import Document
    from test_report import footnotes, table_text

    page.goto(server + "/xuat-bao-cao?province=58&as_of=2023")
    page.get_by_role("heading", name="Xuất báo cáo Word").wait_for(timeout=60_000)
    _ready(page)
    _no_streamlit_dialog(page)
    page.screenshot(path=str(artifacts / "page_xuat-bao-cao_58.png"), full_page=True)
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="Tải báo cáo (.docx) — Ninh Thuận").click()
    path = artifacts / "bao-cao-ntm-58-2023.docx"
    path.write_bytes(Path(download.value.path()).read_bytes())
    document = Document(str(path))
    groups = next(t for t in document.tables if "Tổng số xã" in table_text(t)[0])
    total = table_text(groups)[-1]
    assert "Toàn tỉnh" in total and "47" in total and "774" in total and "16,47" in total
    assert len(document.inline_shapes) >= 2
    captions = [p for p in document.paragraphs if p.text.startswith(("Bảng ", "Hình "))]
    assert sum(p.text.startswith("Bảng ") for p in captions) == len(document.tables) - 1  # each table titled
    assert all(p._p.xpath(".//w:footnoteReference") for p in captions)  # … with its source as a footnote
    assert all(n.startswith("Nguồn:") for n in footnotes(document))
    assert _outside(requests_seen) == []


def test_xlsx_years_plain_and_counts_whole(page, server, artifacts):
    """The trajectory table as Excel: year cells formatted to show 2023 (not 2.023,00), counts without decimals."""
    from openpyxl import load_workbook

    page.goto(server + "/lo-trinh-muc-tieu?province=56&as_of=2023")
    page.get_by_role("heading", name="Lộ trình đạt chuẩn và mục tiêu").wait_for(timeout=60_000)
    _ready(page)
    _no_streamlit_dialog(page)
    with page.expect_download(timeout=60_000) as xlsx:
        page.locator(".st-key-xlsx_lo-trinh-so-lieu-56-ntm").get_by_role("button", name="Tải Excel").click()
    path = artifacts / "export_lo_trinh_56.xlsx"
    path.write_bytes(Path(xlsx.value.path()).read_bytes())
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[4]]
    year, cumulative = header.index("Năm") + 1, header.index("Lũy kế") + 1
    years = [sheet.cell(row=r, column=year) for r in range(5, sheet.max_row + 1)
             if isinstance(sheet.cell(row=r, column=year).value, int)]
    assert any(c.value == 2023 for c in years) and {c.number_format for c in years} == {"0"}
    counts = [sheet.cell(row=c.row, column=cumulative) for c in years
              if isinstance(sheet.cell(row=c.row, column=cumulative).value, int)]
    assert counts and {c.number_format for c in counts} == {"#,##0"}


GRIDS_AND_LABELS = """() => ({
  grids: [...document.querySelectorAll("[data-testid='stDataFrame']")].map(g => {
    const s = g.querySelector(".dvn-scroller"), r = g.querySelector("[aria-rowcount]");
    // a grid below the fold, or one being drawn again by a re-render, is measured on its own turn
    if (!s || !r) return null;
    return {scroll: s.scrollWidth, client: s.clientWidth, height: s.scrollHeight, shown: s.clientHeight,
            rows: Number(r.getAttribute("aria-rowcount")) - 1};}),
  cut: [...document.querySelectorAll("[data-testid='stDownloadButton']")].filter(b =>
    [b, ...b.querySelectorAll('*')].some(n => n.scrollWidth > n.clientWidth)).map(b => b.innerText)})"""


@pytest.mark.parametrize("province", ["56", "58"])
@pytest.mark.parametrize(("path", "title", "grids"), [
    ("", "Tổng quan kết quả xây dựng nông thôn mới", 0),
    ("lo-trinh-muc-tieu", "Lộ trình đạt chuẩn và mục tiêu", 2), ("xa", "Danh sách xã", 1)])
def test_tables_fit_and_download_labels_whole_at_1440(page, server, artifacts, path, title, grids, province):
    """At 1440 px (sidebar open) every table's columns show without scrolling sideways (Streamlit's grid scrolls
    inside `.dvn-scroller`), a table of up to 25 rows shows them all without a scroll box, and every download
    button shows its whole label ("Tải CSV (Excel)" was cut to "Tải CSV (E…")."""
    page.set_viewport_size({"width": 1440, "height": 3000})  # every table on screen at once
    page.goto(f"{server}/{path}?province={province}&as_of=2023")
    page.get_by_role("heading", name=title).wait_for(timeout=60_000)
    _ready(page)
    page.wait_for_timeout(1500)  # the grids size their columns after the first paint
    found = page.evaluate(GRIDS_AND_LABELS)
    for i, grid in enumerate(page.locator("[data-testid='stDataFrame']").all()):
        for _ in range(10):  # up to 8 s for a grid to be drawn (a loaded machine draws late)
            if found["grids"][i] is not None:
                break
            grid.scroll_into_view_if_needed()
            page.wait_for_timeout(800)
            found["grids"][i] = page.evaluate(GRIDS_AND_LABELS)["grids"][i]
    page.screenshot(path=str(artifacts / f"fit_{path or 'tong-quan'}_{province}.png"))
    assert len(found["grids"]) >= grids and None not in found["grids"]
    assert [g for g in found["grids"] if g["scroll"] > g["client"]] == []
    assert [g for g in found["grids"] if g["height"] > g["shown"] and g["rows"] <= 25] == []
    assert page.locator("[data-testid='stDownloadButton']").count() >= grids * 3 and found["cut"] == []
