"""Reading the support mailboxes (P23–P28): ``parse`` turns a message's bytes into a value,
``imap`` reads a folder without changing it. Adapters beside the store: they call nothing of
ours but the domain (``app.domain.intake`` holds the rules)."""
