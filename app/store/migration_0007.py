"""Migration 7: the email intake (issue 11, P23–P28).

- ``mailbox``: the support mailboxes (never a password: the keyring, or the name of an environment
  variable read at fetch time), their back-off after failures;
- ``mailbox_folder``: per folder read (the inbox and the sent folder), UIDVALIDITY and the next
  UID to read;
- ``mailbox_lease``: one desk fetches a mailbox at a time, until its lease expires;
- ``support_address``: the support addresses with their channel, and the team's own;
- ``mail_message``: each message taken, with its source (up to 25 MB); unique by where it was read
  (mailbox, folder, UIDVALIDITY, UID) and, for incoming mail, by Message-ID, so that P28 holds in
  the database itself, whatever the program does;
- ``intake_log_entry``: fetch summaries, failures, and the messages set aside with their reason.

Frozen: these classes are copies of the models as they were, in storage types only.
"""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    Database,
    DateField,
    Field,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


class _Instant(Field):
    field_type = "TIMESTAMPTZ"


def _enum() -> CharField[str]:
    return CharField(max_length=32)


def apply(database: Database) -> None:
    target = database

    class Base(Model):
        class Meta:
            database = target
            legacy_table_names = False

    class Technician(Base):  # exists: only referred to
        pass

    class Contact(Base):  # exists: only referred to
        pass

    class Mailbox(Base):
        version = IntegerField()
        name = CharField(max_length=64, unique=True)
        host = CharField()
        port = IntegerField()
        security = _enum()
        user = CharField()
        folder = CharField()
        sent_folder = CharField(null=True)
        ca_file = CharField(max_length=1024, null=True)
        password_env = CharField(max_length=128, null=True)
        added_at = _Instant()
        since = DateField(null=True)
        last_fetch_at = _Instant(null=True)
        last_error = TextField()
        last_error_at = _Instant(null=True)
        failures = IntegerField()
        retry_at = _Instant(null=True)
        created_by = ForeignKeyField(Technician, null=True)

    class MailboxFolder(Base):
        mailbox = ForeignKeyField(Mailbox, on_delete="CASCADE")
        role = _enum()
        name = CharField()
        uidvalidity = BigIntegerField(null=True)
        next_uid = BigIntegerField(null=True)
        last_fetch_at = _Instant(null=True)

        class Meta:
            indexes = ((("mailbox", "role"), True),)

    class MailboxLease(Base):
        mailbox = ForeignKeyField(Mailbox, unique=True, on_delete="CASCADE")
        holder = CharField(null=True)
        expires_at = _Instant(null=True)

    class SupportAddress(Base):
        address = CharField(unique=True)
        kind = _enum()
        created_at = _Instant()

    class MailMessage(Base):
        mailbox = ForeignKeyField(Mailbox, null=True, on_delete="SET NULL")
        folder = CharField()
        uidvalidity = BigIntegerField()
        uid = BigIntegerField()
        message_id = CharField(max_length=998, index=True)
        incoming_message_id = CharField(max_length=998, null=True, unique=True)
        message_id_synthetic = BooleanField()
        direction = _enum()
        internaldate = _Instant()
        from_address = CharField(null=True)
        from_header = TextField()
        to_addresses = TextField()
        cc_addresses = TextField()
        envelope = TextField()
        subject = TextField()
        text = TextField()
        source = BlobField(null=True)
        truncated = BooleanField()
        size = BigIntegerField()
        contact = ForeignKeyField(Contact, null=True)
        outcome = CharField(max_length=32)
        created_at = _Instant()

        class Meta:
            indexes = ((("mailbox", "folder", "uidvalidity", "uid"), True),)

    class IntakeLogEntry(Base):
        mailbox = ForeignKeyField(Mailbox, null=True, on_delete="SET NULL")
        mailbox_name = CharField(max_length=64)
        at = _Instant(index=True)
        kind = _enum()
        new = IntegerField()
        joined = IntegerField()
        responses = IntegerField()
        ignored = IntegerField()
        rejected = IntegerField()
        reason = CharField(max_length=64)
        message = TextField()
        problems = TextField()
        message_id = CharField(max_length=998)
        sender = CharField()
        subject = TextField()

    database.create_tables(
        [Mailbox, MailboxFolder, MailboxLease, SupportAddress, MailMessage, IntakeLogEntry],
        safe=False,
    )
