"""The result cache on disk (ntm.resultcache): a result is read back only for the build and the code that computed
it, an older build's results are removed, and warm.py's completion is remembered per build and code."""

from ntm import resultcache


def test_a_result_is_read_back_for_its_build_only(tmp_path, monkeypatch):
    monkeypatch.setenv("NTM_CACHE", str(tmp_path))
    name = resultcache.key("ntm.glance.headline", ({"code": "56"}, 2023), {})
    resultcache.save("build-a", name, {"communes": 52})
    assert resultcache.load("build-a", name) == {"communes": 52}
    assert resultcache.missing(resultcache.load("build-b", name))  # another build computes again
    resultcache.save("build-b", name, {"communes": 60})  # the first write of a new build removes the old one's
    assert resultcache.missing(resultcache.load("build-a", name))
    assert resultcache.load("build-b", name) == {"communes": 60}


def test_new_code_never_reads_an_older_versions_result(tmp_path, monkeypatch):
    monkeypatch.setenv("NTM_CACHE", str(tmp_path))
    name = resultcache.key("ntm.progress.roadmap_view", ("56", "ntm"), {})
    resultcache.save("build-a", name, ["computed by the old code"])
    monkeypatch.setattr(resultcache, "_code", lambda: "another-version")
    assert resultcache.missing(resultcache.load("build-a", name))


def test_warm_completion_is_per_build_and_code(tmp_path, monkeypatch):
    monkeypatch.setenv("NTM_CACHE", str(tmp_path))
    resultcache.save("build-a", resultcache.key("f", (), {}), 1)
    assert not resultcache.complete("build-a")
    resultcache.mark_complete("build-a")
    assert resultcache.complete("build-a")
    assert not resultcache.complete("build-b")
    assert not resultcache.complete(None)  # no digest (a database without a sidecar): never complete
    monkeypatch.setattr(resultcache, "_code", lambda: "another-version")
    assert not resultcache.complete("build-a")


def test_the_memory_level_is_bounded_by_bytes_and_hands_out_copies():
    memory = resultcache.Memory(budget=3000, largest=1500)
    calls = []

    def compute(value):
        calls.append(repr(value))
        return value

    first = memory.get("a", lambda: compute(["a"] * 100))  # about 200 bytes pickled
    first.append("changed by a caller")
    assert memory.get("a", lambda: compute(None)) == ["a"] * 100  # kept, and a caller's change is its own
    assert memory.get("big", lambda: compute("x" * 2000)) == "x" * 2000  # over `largest`: not kept
    assert memory.get("big", lambda: compute("y")) == "y"
    for key in "bcd":  # 1.000 bytes each: the least recently used go past the 3.000-byte budget
        memory.get(key, lambda k=key: compute(k * 1000))
    assert memory.size <= 3000
    assert memory.get("a", lambda: compute("again")) == "again"  # "a" was the oldest
    assert memory.get("d", lambda: compute("again")) == "d" * 1000
    assert calls == [repr(v) for v in (["a"] * 100, "x" * 2000, "y", "b" * 1000, "c" * 1000, "d" * 1000, "again")]
