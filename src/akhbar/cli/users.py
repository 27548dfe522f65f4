"""``akhbar users add|list|password|disable|enable``: the accounts of editors and admins (``/admin``)."""

from __future__ import annotations

import sys

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.errors import InputError
from akhbar.services import editorial
from akhbar.services.editorial import ROLES

password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of standard input."
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise InputError("users: no password on standard input")
        return line.rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group("users")
def users_group() -> None:
    """Editors and admins who sign in at /admin to write articles and flag breaking news."""


@users_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True)
@click.option("--name", help="The name shown as the author of their articles.")
@password_stdin
@pass_context
def add_command(ctx: Context, email: str, role: str, name: str | None, password_stdin: bool) -> None:
    """Create the account EMAIL (the password is asked for, or read with --password-stdin)."""
    user = editorial.add_user(ctx.store(), email, role, _password(password_stdin), name=name)
    click.echo(f"added {user.email} ({user.role})")


@users_group.command("list")
@format_option
@pass_context
def list_command(ctx: Context, output_format: str) -> None:
    """Every account, oldest first."""
    for user in editorial.list_users(ctx.store()):
        if output_format == "json":
            echo_json(user.to_json())
            continue
        state = "disabled" if user.disabled_at else ("locked" if user.locked_until else "active")
        click.echo(f"{user.id:<4} {user.email:32} {user.role:7} {state:9} {user.name or ''}")


@users_group.command("password")
@click.argument("email")
@password_stdin
@pass_context
def password_command(ctx: Context, email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL; it is unlocked and signed out everywhere."""
    editorial.set_password(ctx.store(), email, _password(password_stdin))
    click.echo(f"new password set for {email}")


@users_group.command("disable")
@click.argument("email")
@pass_context
def disable_command(ctx: Context, email: str) -> None:
    """Stop EMAIL from signing in (their sessions end; their articles stay)."""
    _switch(ctx, email, disabled=True)


@users_group.command("enable")
@click.argument("email")
@pass_context
def enable_command(ctx: Context, email: str) -> None:
    """Let a disabled EMAIL sign in again."""
    _switch(ctx, email, disabled=False)


def _switch(ctx: Context, email: str, *, disabled: bool) -> None:
    editorial.set_disabled(ctx.store(), email, disabled)
    click.echo(f"{'disabled' if disabled else 'enabled'} {email}")
