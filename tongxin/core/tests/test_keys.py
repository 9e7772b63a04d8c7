from pathlib import Path

from tongxin.core.keys import load_keys


def test_development_install_generates_keys_once_into_its_data_dir(tmp_path: Path) -> None:
    first = load_keys(tmp_path, lambda name, default: default)
    second = load_keys(tmp_path, lambda name, default: default)
    assert first.field_keys == second.field_keys
    assert set(first.generated) == {
        "TONGXIN_SECRET_KEY",
        "TONGXIN_FIELD_KEYS",
        "TONGXIN_BLIND_INDEX_KEYS",
    }
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600


def test_keys_from_the_environment_are_not_generated(tmp_path: Path) -> None:
    env = {
        "TONGXIN_SECRET_KEY": "s",
        "TONGXIN_FIELD_KEYS": "k1,k2",
        "TONGXIN_BLIND_INDEX_KEYS": "b1",
    }
    keys = load_keys(tmp_path, lambda name, default: env.get(name, default))
    assert keys.field_keys == ["k1", "k2"] and keys.generated == []
    assert not (tmp_path / "keys.json").exists()
