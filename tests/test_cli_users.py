"""``akhbar users``: arguments are checked before any password is asked for; a piped password is read
without a prompt or a warning."""

from __future__ import annotations

from pathlib import Path

from cli_runner import run

PASSWORD = "correct horse battery\n"


def test_not_an_email_is_refused_before_the_password(tmp_path: Path) -> None:
    done = run("users", "add", "notanemail", data_dir=tmp_path, stdin=PASSWORD)
    assert done.code == 2
    assert done.err.count("\n") == 1 and "'notanemail' is not an email address" in done.err
    assert "Password" not in done.out + done.err
    assert not (tmp_path / "akhbar.db").exists(), "refused while parsing: nothing was opened"


def test_piped_password_adds_the_account_without_a_warning(tmp_path: Path) -> None:
    done = run("users", "add", "Sara@Example.org", "--name", "سارة", data_dir=tmp_path, stdin=PASSWORD)
    assert done.code == 0, done.err
    assert done.out.startswith("added sara@example.org (editor)")
    assert done.err == "", "no GetPassWarning, no prompt"
    listed = run("users", "list", data_dir=tmp_path)
    assert "sara@example.org" in listed.out and "سارة" in listed.out
    flagged = run("users", "add", "sara@example.org", "--password-stdin", data_dir=tmp_path, stdin=PASSWORD)
    assert flagged.code == 2 and "sara@example.org already has an account" in flagged.err
    changed = run("users", "password", "SARA@example.org", data_dir=tmp_path, stdin="another long one\n")
    assert changed.code == 0 and changed.out == "new password set for sara@example.org\n"


def test_bad_passwords_and_roles_say_why(tmp_path: Path) -> None:
    short = run("users", "add", "a@example.org", data_dir=tmp_path, stdin="short\n")
    assert short.code == 2 and "a password needs 10 to 1024 characters" in short.err
    none = run("users", "add", "b@example.org", data_dir=tmp_path, stdin="")
    assert none.code == 2 and "no password on standard input" in none.err
    role = run("users", "add", "c@example.org", "--role", "boss", data_dir=tmp_path, stdin=PASSWORD)
    assert role.code == 2 and "'boss' is not one of 'contributor', 'editor', 'admin'" in role.err
    unknown = run("users", "password", "nobody@example.org", data_dir=tmp_path, stdin=PASSWORD)
    assert unknown.code == 2 and "no account for nobody@example.org" in unknown.err
    assert run("users", "list", "--format", "json", data_dir=tmp_path).out == ""
