"""A small kustomize in Python: renders deploy/k8s overlays without the kustomize binary.

It implements only the features deploy/k8s uses, the way kustomize does them: ``resources``
(files and folders holding a kustomization), ``namespace``, ``images``, ``replicas`` and
``patches`` (strategic-merge patches, from ``path`` or inline ``patch``, aimed by the patch's own
kind and name or by a ``target`` of kind, name and equality label selectors). Anything else in a
kustomization is refused, so a manifest can never rely on a feature this renderer ignores. When
``kubectl`` is installed, a test renders the same overlays with ``kubectl kustomize`` and compares.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "images", "replicas", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass", "PersistentVolume"}
SCALABLE = {"Deployment", "StatefulSet", "ReplicaSet"}
# Strategic-merge keys of the Kubernetes lists deploy/k8s patches (the rest are replaced whole).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
}


class UnsupportedFeature(ValueError):
    pass


def render(folder: Path) -> list[Obj]:
    """Every object the kustomization in ``folder`` produces."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise UnsupportedFeature(f"{folder}: kustomization uses {sorted(unknown)}")
    objects: list[Obj] = []
    for entry in kustomization.get("resources", []):
        path = (folder / entry).resolve()
        objects.extend(render(path) if path.is_dir() else load_documents(path))
    for patch in kustomization.get("patches", []):
        apply_patch(objects, patch, folder)
    if "namespace" in kustomization:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = kustomization["namespace"]
    for image in kustomization.get("images", []):
        for obj in objects:
            for container in containers_of(obj):
                container["image"] = retag(container["image"], image)
    for replica in kustomization.get("replicas", []):
        matched = [o for o in objects if o["kind"] in SCALABLE and o["metadata"]["name"] == replica["name"]]
        if not matched:
            raise ValueError(f"{folder}: replicas for unknown workload {replica['name']}")
        for obj in matched:
            obj["spec"]["replicas"] = replica["count"]
    return objects


def load_documents(path: Path) -> list[Obj]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def apply_patch(objects: list[Obj], entry: Obj, folder: Path) -> None:
    unknown = set(entry) - {"path", "patch", "target"}
    if unknown:
        raise UnsupportedFeature(f"{folder}: patch uses {sorted(unknown)}")
    patch = yaml.safe_load((folder / entry["path"]).read_text() if "path" in entry else entry["patch"])
    target = entry.get("target") or {"kind": patch["kind"], "name": patch["metadata"]["name"]}
    matched = [o for o in objects if matches(o, target)]
    if not matched:
        raise ValueError(f"{folder}: patch target {target} matches nothing")
    for obj in matched:
        name = obj["metadata"]["name"]
        merged = strategic_merge(obj, {k: v for k, v in patch.items() if k not in ("apiVersion", "kind")})
        merged["metadata"]["name"] = name  # a targeted patch's own name is not applied
        obj.clear()
        obj.update(merged)


def matches(obj: Obj, target: Obj) -> bool:
    unknown = set(target) - {"kind", "name", "labelSelector"}
    if unknown:
        raise UnsupportedFeature(f"patch target uses {sorted(unknown)}")
    if "kind" in target and obj["kind"] != target["kind"]:
        return False
    if "name" in target and obj["metadata"]["name"] != target["name"]:
        return False
    labels = obj["metadata"].get("labels", {})
    for requirement in filter(None, target.get("labelSelector", "").split(",")):
        key, _, value = requirement.partition("=")
        if labels.get(key.strip()) != value.strip():
            return False
    return True


def strategic_merge(base: Any, patch: Any, key: str | None = None) -> Any:
    """Kubernetes strategic merge: maps merge, lists with a merge key merge by it, others replace."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = copy.deepcopy(base)
        for k, v in patch.items():
            if v is None:
                merged.pop(k, None)
            elif k in merged:
                merged[k] = strategic_merge(merged[k], v, k)
            else:
                merged[k] = copy.deepcopy(v)
        return merged
    if isinstance(base, list) and isinstance(patch, list) and key in MERGE_KEYS:
        merge_key = MERGE_KEYS[key]
        merged_list = copy.deepcopy(base)
        for item in patch:
            same = [i for i, existing in enumerate(merged_list) if existing.get(merge_key) == item.get(merge_key)]
            if same:
                merged_list[same[0]] = strategic_merge(merged_list[same[0]], item)
            else:
                merged_list.append(copy.deepcopy(item))
        return merged_list
    return copy.deepcopy(patch)


def pod_spec(obj: Obj) -> Obj | None:
    spec: Obj = obj.get("spec", {})
    if obj["kind"] == "Pod":
        return spec
    if obj["kind"] == "CronJob":
        job_pod: Obj = spec["jobTemplate"]["spec"]["template"]["spec"]
        return job_pod
    template = spec.get("template")
    return template.get("spec") if isinstance(template, dict) else None


def containers_of(obj: Obj) -> list[Obj]:
    spec = pod_spec(obj)
    if not spec:
        return []
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """``name[:tag][@digest]`` -> (name, tag, digest); a registry port is not a tag."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, digest or None


def retag(image: str, rule: Obj) -> str:
    name, tag, digest = split_image(image)
    if name != rule["name"]:
        return image
    name = rule.get("newName", name)
    if "digest" in rule:
        return f"{name}@{rule['digest']}"
    tag = str(rule["newTag"]) if "newTag" in rule else tag
    result = f"{name}:{tag}" if tag else name
    return f"{result}@{digest}" if digest and "newTag" not in rule else result
