"""``registration`` command line: the service's composition root for processes."""

from __future__ import annotations

from pathlib import Path

from servicekit.cli import ServiceDefinition, build_cli

from ..config import RegistrationSettings
from .api import create_app

DEFINITION = ServiceDefinition(
    name="registration",
    settings_factory=RegistrationSettings,
    create_app=create_app,  # type: ignore[arg-type]
    alembic_ini=Path(__file__).resolve().parents[2] / "alembic.ini",
)


def main() -> None:
    build_cli(DEFINITION)()


if __name__ == "__main__":
    main()
