"""Alert emails: sent through the SMTP settings (STARTTLS and sign-in as they say), at most
``alert_email_max_per_hour`` per recipient (single emails and digests alike, counted in
``alert_emails``).

Per recipient and run: the alerts an earlier run held back go first, together in one digest; then
each new alert gets its own email while the hour has room; those beyond are held
(``email_held_at``) for the digest of the next run the window allows. With
``alert_email_daily_digest`` a recipient instead gets one digest of everything pending once 24 hours
have passed since their last email. An alert is delivered once: its ``delivered_email_at`` is set,
and committed, when the email that carries it was accepted by the server (a failed ``QUIT`` after
that changes nothing).

Each email carries a ``Date:`` and a ``Message-ID:`` (RFC 5322 wants both; mail systems and spam
filters downgrade mail without them). Its subject and text are in the rule's language, with times
in the rule's jurisdiction's zone (``message.Reader``).

The SMTP password is only handed to ``smtplib``; errors name the server's answer, never it.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from sqlalchemy.orm import Session

from govsocial.analyze.alerts import message, words
from govsocial.settings import Settings
from govsocial.store import alerts as store
from govsocial.store import tables as t
from govsocial.store.times import utc

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
Item = tuple[t.Alert, t.AlertRule]


@dataclass
class MailTally:
    """What the emails of one run did; ``errors`` by alert id."""

    emails: int = 0
    digests: int = 0
    held: int = 0
    errors: dict[int, list[str]] = field(default_factory=dict)


def send_email(settings: Settings, to: str, subject: str, text: str) -> None:
    """Send one email through the SMTP settings."""
    if not settings.smtp_host:
        raise RuntimeError("no SMTP server is set (GOVSOCIAL_SMTP_HOST)")
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender_domain(settings.smtp_from))
    mail.set_content(text)
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    try:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
        smtp.send_message(mail)
    finally:
        _close(smtp)


def sender_domain(sender: str) -> str | None:
    """The domain of the ``From`` address, for the ``Message-ID`` (None: ``make_msgid`` then uses
    the host's name)."""
    _, address = parseaddr(sender)
    domain = address.rpartition("@")[2].strip()
    return domain or None


def _close(smtp: smtplib.SMTP) -> None:
    """End the session. Once the server accepted the message it is sent: an error of ``QUIT``
    (``with smtplib.SMTP`` raises it) must not make the alert look undelivered and go out again."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def safe(exc: Exception) -> str:
    """A delivery error, short; smtplib errors name the server's answer, never the password."""
    return f"{type(exc).__name__}: {exc}"[:500]


@dataclass
class Mailer:
    """Sends one run's alert emails and tallies them."""

    session: Session
    settings: Settings
    now: dt.datetime
    tally: MailTally = field(default_factory=MailTally)
    send: Callable[[Settings, str, str, str], None] = send_email

    def deliver(self, recipient: str, items: Sequence[Item]) -> None:
        """Send ``recipient``'s pending alerts (oldest first) within the cap; hold the rest."""
        if self.settings.alert_email_daily_digest:
            self._daily(recipient, items)
            return
        room = self.settings.alert_email_max_per_hour - store.emails_since(
            self.session, recipient, self.now - HOUR
        )
        held = [i for i in items if i[0].email_held_at is not None]
        fresh = [i for i in items if i[0].email_held_at is None]
        if held and room > 0:
            cap = self.settings.alert_email_max_per_hour
            room -= self._digest(recipient, held, {k: v.format(cap=cap) for k, v in words.HELD.items()})
            held = []
        for item in fresh:
            if room > 0:
                room -= self._single(recipient, item)
            else:
                held.append(item)
        self._hold(held)

    def _daily(self, recipient: str, items: Sequence[Item]) -> None:
        last = store.last_email_at(self.session, recipient)
        if last is not None and utc(last) > self.now - DAY:
            self._hold(items)
            return
        self._digest(recipient, items, words.DAILY)

    def _hold(self, items: Sequence[Item]) -> None:
        for alert, _rule in items:
            alert.email_held_at = alert.email_held_at or self.now
        self.tally.held += len(items)

    def _readers(self, items: Sequence[Item]) -> dict[int, message.Reader]:
        """How each rule's alerts are written: its language, its jurisdiction's zone, the names."""
        return message.readers(self.session, self.settings, items)

    def _single(self, recipient: str, item: Item) -> int:
        alert, rule = item
        reader = self._readers([item])[rule.id]
        body = message.text(alert, rule, reader)
        return self._send(recipient, [item], message.subject(alert, reader), body, digest=False)

    def _digest(self, recipient: str, items: Sequence[Item], why: dict[str, str]) -> int:
        """One email of ``items``; ``why`` by language, in the first alert's rule's language."""
        readers = self._readers(items)
        lang = readers[items[0][1].id].lang
        body = message.digest_text(items, why[lang], readers)
        return self._send(recipient, items, message.digest_subject(len(items), lang), body, digest=True)

    def _send(self, recipient: str, items: Sequence[Item], subject: str, body: str, digest: bool) -> int:
        """Send one email carrying ``items``; 1 when sent (it counts against the cap), else 0."""
        try:
            self.send(self.settings, items[0][1].email or recipient, subject, body)
        except Exception as exc:  # one failed email must not stop the others
            for alert, _rule in items:
                self.tally.errors.setdefault(alert.id, []).append(f"email: {safe(exc)}")
            return 0
        for alert, _rule in items:
            alert.delivered_email_at = self.now
        store.record_email(self.session, recipient, len(items), digest, self.now)
        self.session.commit()  # kept at once: a run that stops later must not send it again
        self.tally.emails += 1
        self.tally.digests += int(digest)
        return 1
