"""What a service's composition root builds, and the one typed way routes reach it.

Each service has a ``bootstrap.py`` that builds a frozen container once: the :class:`ServiceRuntime`
every service shares (settings, engine, unit-of-work factory, clock) plus its own policies and
collaborators. ``create_service_app`` installs it on the app; routes declare what they need with
``Annotated[..., Depends(container_dependency(MyContainer))]`` and never read ``app.state``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from fastapi import FastAPI, Request
from incentive_kernel.clock import Clock, SystemClock
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import create_engine
from .settings import ServiceSettings
from .unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, kw_only=True)
class ServiceRuntime:
    """The parts every service wires the same way. Building it opens no connection."""

    service: str
    settings: ServiceSettings
    engine: AsyncEngine
    uow_factory: UnitOfWorkFactory
    clock: Clock

    @classmethod
    def build(
        cls, settings: ServiceSettings, *, service: str, source: str, topic: str, clock: Clock | None = None
    ) -> ServiceRuntime:
        engine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
        return cls(
            service=service,
            settings=settings,
            engine=engine,
            uow_factory=UnitOfWorkFactory(engine, source=source, topic=topic),
            clock=clock or SystemClock(),
        )

    async def close(self) -> None:
        """Closes the engine's pool; the engine opens a new one if used again."""
        await self.engine.dispose()


class HasRuntime(Protocol):
    """Any service container: it carries the shared runtime."""

    @property
    def runtime(self) -> ServiceRuntime: ...


C = TypeVar("C")


def install_container(app: FastAPI, container: HasRuntime) -> None:
    app.state.container = container  # the one place the container is put on the app


def app_container(app: FastAPI) -> HasRuntime:
    """The container installed on ``app`` (the one place it is read back; tests reach it here)."""
    container: HasRuntime = app.state.container
    return container


def container_of(request: Request) -> HasRuntime:
    """The container of the app serving ``request``."""
    return app_container(request.app)


def runtime_of(request: Request) -> ServiceRuntime:
    return container_of(request).runtime


def container_dependency(kind: type[C]) -> Callable[[Request], C]:
    """A FastAPI dependency that yields the app's container as ``kind`` (checked, so typing holds)."""

    def provide(request: Request) -> C:
        container = container_of(request)
        if not isinstance(container, kind):
            raise TypeError(f"this app's container is a {type(container).__name__}, not a {kind.__name__}")
        return container

    provide.__name__ = f"{kind.__name__.lower()}_dependency"
    return provide


@dataclass(frozen=True)
class RuntimeOnly:
    """A container with nothing but the runtime (a service with no policies of its own, or a test app)."""

    runtime: ServiceRuntime

    @classmethod
    def of(cls, settings: ServiceSettings, *, service: str, source: str, topic: str) -> RuntimeOnly:
        return cls(ServiceRuntime.build(settings, service=service, source=source, topic=topic))
