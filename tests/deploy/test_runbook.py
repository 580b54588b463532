"""deploy/RUNBOOK.md names only commands, workloads, paths and secret keys that exist."""

from __future__ import annotations

import re

import kubernetes_validate
import pytest

from .code_facts import ROOT, SERVICES, service_or_skip
from .kustomize import render, split_image
from .manifests import K8S, find, pod_containers, rendered

RUNBOOK = ROOT / "deploy" / "RUNBOOK.md"
SECTIONS = (
    "Deploy",
    "Rolling upgrades keep exactly-once effects",
    "Schema changes: expand → migrate → contract",
    "Scale",
    "Replay for an auditor",
    "Re-drive dead letters",
    "Rotate webhook secrets (registration)",
    "Rotate token keys",
    "Recover from a broker that lost data",
    "Restore PostgreSQL from backup",
)


def shell_blocks() -> str:
    """The commands of every ``sh`` block, comments removed."""
    blocks = "\n".join(re.findall(r"```sh\n(.*?)```", RUNBOOK.read_text(), flags=re.S))
    return re.sub(r"(^|\s)#.*$", "", blocks, flags=re.M)


def test_every_procedure_has_a_section() -> None:
    headings = {line.lstrip("#").strip() for line in RUNBOOK.read_text().splitlines() if line.startswith("#")}
    assert set(SECTIONS) <= headings


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_command_in_the_runbook_exists(service: str) -> None:
    facts = service_or_skip(service, with_cli=True)
    pattern = rf"(?:^|[\s;(])(?:{service}|\$svc|\$SVC) ([a-z][a-z-]+)"
    used = set(re.findall(pattern, shell_blocks(), flags=re.M)) - set(SERVICES)  # `for svc in a b c`
    assert used, f"the runbook runs no {service} command"
    assert used <= facts.commands, f"not {service} commands: {sorted(used - facts.commands)}"


def test_every_workload_the_runbook_touches_exists_in_prod() -> None:
    names = {o["metadata"]["name"] for o in rendered("prod") if o["kind"] in ("Deployment", "Job")}
    used = set(re.findall(r"deploy/([a-z][a-z0-9-]+)", shell_blocks())) - {"k8s", "kafka"}
    expanded = {n.replace("$SVC", s).replace("$svc", s) for n in used for s in SERVICES}
    assert {n for n in expanded if "$" not in n} <= names


def test_every_path_the_runbook_names_exists() -> None:
    for path in set(re.findall(r"\b(deploy/(?:k8s|kafka)[\w./-]*\w)", RUNBOOK.read_text())):
        assert (ROOT / path).exists(), path


def test_the_secrets_the_runbook_creates_are_the_ones_the_manifests_require() -> None:
    created: dict[str, set[str]] = {}
    for command in re.split(r"\n(?=kubectl)", shell_blocks()):
        match = re.match(r"kubectl -n \$NS create secret generic ([\w-]+)", command)
        if match:
            created[match.group(1)] = set(re.findall(r"--from-literal=([\w-]+)=", command))
    required: dict[str, set[str]] = {}
    for obj in rendered("prod"):
        for container in pod_containers(obj):
            for entry in container.get("env", []):
                ref = entry.get("valueFrom", {}).get("secretKeyRef")
                if ref and not ref.get("optional"):
                    required.setdefault(ref["name"], set()).add(ref["key"])
    assert required
    for name, keys in required.items():
        assert keys <= created.get(name, set()), f"the runbook's {name} lacks {sorted(keys - created.get(name, set()))}"


def test_audit_replay_job_replays_into_scratch_and_verifies_against_the_live_ledger() -> None:
    objects = render(K8S / "audit-replay")
    (job,) = objects
    kubernetes_validate.validate(job, "1.32.0", strict=True)
    facts = service_or_skip("ledger")
    prod_image = pod_containers(find(rendered("prod"), "Deployment", "ledger-projector"))[0]["image"]
    containers = pod_containers(job)
    assert [c["args"] for c in containers] == [
        ["replay", "--target", "$(LEDGER_AUDIT_TARGET_URL)", "--workers", "4"],
        ["verify", "--replayed", "$(LEDGER_AUDIT_TARGET_URL)", "--workers", "4"],
    ]
    for container in containers:
        env = {e["name"]: e for e in container["env"]}
        assert env["LEDGER_AUDIT_TARGET_URL"]["valueFrom"]["secretKeyRef"]["name"] == "ledger-audit-secrets"
        assert env[facts.env("database_url")]["valueFrom"]["secretKeyRef"]["name"] == "ledger-secrets"
        assert split_image(container["image"]) == split_image(prod_image), "replay with the code production runs"


def test_scaling_plan_states_its_inputs_and_the_loads() -> None:
    text = (ROOT / "deploy" / "SCALING.md").read_text()
    for symbol in ("`L`", "`R`", "`R2`", "`D`", "`Q`", "`W`"):
        assert f"| {symbol} |" in text, f"the inputs table lacks {symbol}"
    for load in ("10\N{MULTIPLICATION SIGN}", "100\N{MULTIPLICATION SIGN}", "1000\N{MULTIPLICATION SIGN}"):
        assert f"| {load} |" in text
