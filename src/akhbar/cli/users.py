"""``akhbar users add|list|password|disable|enable``: the accounts of editors and admins (``/admin``)."""

from __future__ import annotations

import sys

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.cli.options import LazyChoice, email_argument
from akhbar.cli.output import command, nothing
from akhbar.errors import InputError

password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (the default when it is not a terminal).",
)


def _checked(password: str) -> str:
    from akhbar.services.editorial import MAX_PASSWORD, MIN_PASSWORD

    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InputError(f"users: a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def _asked(value: str) -> str:
    try:
        return _checked(value)
    except InputError as exc:  # asked again
        raise click.UsageError(str(exc).removeprefix("users: ")) from exc


def _password(from_stdin: bool) -> str:
    """From standard input when asked to or when it is no terminal (a pipe: no prompt, no warning),
    else asked for twice on the terminal."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line.strip():
            raise InputError(
                "users: no password on standard input (pipe one, or run in a terminal to be asked)"
            )
        return _checked(line.rstrip("\r\n"))
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True, value_proc=_asked))


@click.group("users")
def users_group() -> None:
    """Contributors, editors and admins who sign in at /admin to write, publish and flag breaking news."""


@users_group.command("add")
@email_argument()
@click.option("--role", type=LazyChoice("akhbar.store.users:ROLES"), default="editor", show_default=True)
@click.option("--name", help="The name shown as the author of their articles.")
@password_stdin
@pass_context
def add_command(ctx: Context, email: str, role: str, name: str | None, password_stdin: bool) -> None:
    """Create the account EMAIL (the password is asked for, or read from standard input)."""
    from akhbar.services import editorial

    store = ctx.store()
    if any(user.email == email for user in editorial.list_users(store)):  # before asking for a password
        raise InputError(f"users: {email} already has an account")
    user = editorial.add_user(store, email, role, _password(password_stdin), name=name)
    click.echo(f"added {user.email} ({user.role})")


@users_group.command("list")
@format_option
@pass_context
def list_command(ctx: Context, output_format: str) -> None:
    """Every account, oldest first."""
    from akhbar.services import editorial

    found = editorial.list_users(ctx.store())
    for user in found:
        if output_format == "json":
            echo_json(user.to_json())
            continue
        state = "disabled" if user.disabled_at else ("locked" if user.locked_until else "active")
        click.echo(f"{user.id:<4} {user.email:32} {user.role:7} {state:9} {user.name or ''}")
    if not found:
        nothing(f"no accounts yet ({command('users add EMAIL')})", output_format)


@users_group.command("password")
@email_argument()
@password_stdin
@pass_context
def password_command(ctx: Context, email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL; it is unlocked and signed out everywhere."""
    from akhbar.services import editorial

    store = ctx.store()
    if not any(user.email == email for user in editorial.list_users(store)):
        raise InputError(f"users: no account for {email}")
    editorial.set_password(store, email, _password(password_stdin))
    click.echo(f"new password set for {email}")


@users_group.command("disable")
@email_argument()
@pass_context
def disable_command(ctx: Context, email: str) -> None:
    """Stop EMAIL from signing in (their sessions end; their articles stay)."""
    _switch(ctx, email, disabled=True)


@users_group.command("enable")
@email_argument()
@pass_context
def enable_command(ctx: Context, email: str) -> None:
    """Let a disabled EMAIL sign in again."""
    _switch(ctx, email, disabled=False)


def _switch(ctx: Context, email: str, *, disabled: bool) -> None:
    from akhbar.services import editorial

    editorial.set_disabled(ctx.store(), email, disabled)
    click.echo(f"{'disabled' if disabled else 'enabled'} {email}")
