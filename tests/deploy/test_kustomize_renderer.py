"""The Python kustomize renderer behaves like kustomize for the features deploy/k8s uses."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .kustomize import UnsupportedFeature, render, retag, split_image, strategic_merge
from .manifests import K8S, OVERLAYS, rendered


def test_strategic_merge_merges_containers_and_env_by_name_and_replaces_other_lists() -> None:
    base: dict[str, Any] = {
        "spec": {
            "containers": [
                {"name": "api", "args": ["api"], "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                {"name": "side", "image": "x"},
            ]
        }
    }
    patch = {"spec": {"containers": [{"name": "api", "args": ["relay"], "env": [{"name": "B", "value": "3"}]}]}}

    merged = strategic_merge(base, patch)

    api, side = merged["spec"]["containers"]
    assert api["args"] == ["relay"]
    assert api["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]
    assert side == {"name": "side", "image": "x"}
    assert base["spec"]["containers"][0]["args"] == ["api"], "the input is not modified"


def test_strategic_merge_deletes_keys_patched_to_null() -> None:
    assert strategic_merge({"a": 1, "b": 2}, {"b": None}) == {"a": 1}


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("repo/app", ("repo/app", None, None)),
        ("repo/app:1.2", ("repo/app", "1.2", None)),
        ("registry:5000/repo/app", ("registry:5000/repo/app", None, None)),
        ("registry:5000/repo/app:1.2@sha256:ab", ("registry:5000/repo/app", "1.2", "sha256:ab")),
    ],
)
def test_split_image_tells_a_registry_port_from_a_tag(image: str, expected: tuple[str, str | None, str | None]) -> None:
    assert split_image(image) == expected


def test_retag_applies_new_name_and_tag_only_to_the_named_image() -> None:
    rule = {"name": "repo/app", "newName": "reg.example/repo/app", "newTag": "2.0"}
    assert retag("repo/app", rule) == "reg.example/repo/app:2.0"
    assert retag("repo/app:1.0", rule) == "reg.example/repo/app:2.0"
    assert retag("repo/other:1.0", rule) == "repo/other:1.0"
    assert retag("repo/app:1.0", {"name": "repo/app", "digest": "sha256:ab"}) == "repo/app@sha256:ab"


def test_a_kustomization_feature_the_renderer_lacks_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({"resources": [], "commonLabels": {"a": "b"}}))
    with pytest.raises(UnsupportedFeature, match="commonLabels"):
        render(tmp_path)


def test_a_patch_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}
    (tmp_path / "cm.yaml").write_text(yaml.safe_dump(config_map))
    patch = yaml.safe_dump({**config_map, "metadata": {"name": "typo"}, "data": {"k": "v"}})
    kustomization = {"resources": ["cm.yaml"], "patches": [{"patch": patch}]}
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    with pytest.raises(ValueError, match="matches nothing"):
        render(tmp_path)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with its built-in kustomize) is not installed")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_renderer_output_equals_kubectl_kustomize(overlay: str) -> None:
    result = subprocess.run(
        ["kubectl", "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        pytest.skip(f"kubectl kustomize is unavailable here: {result.stderr.strip()[:200]}")
    theirs = [d for d in yaml.safe_load_all(result.stdout) if d]

    def key(obj: dict[str, Any]) -> tuple[str, str, str]:
        return obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]

    mine = {key(o): o for o in rendered(overlay)}
    assert mine == {key(o): o for o in theirs}
