from skillforge.reference.release_cache import LatestReleaseCache


def test_builds_once_per_key_and_keeps_only_the_latest():
    built = []
    cache: LatestReleaseCache[str] = LatestReleaseCache()

    def build(tag):
        def _build():
            built.append(tag)
            return f"value-{tag}"

        return _build

    assert cache.get("29.0", build("29.0")) == "value-29.0"
    assert cache.get("29.0", build("29.0")) == "value-29.0"
    assert cache.get("28.3", build("28.3")) == "value-28.3"
    assert cache.get("29.0", build("29.0")) == "value-29.0"
    assert built == ["29.0", "28.3", "29.0"]
    cache.clear()
    cache.get("29.0", build("29.0"))
    assert built[-1] == "29.0" and len(built) == 4
