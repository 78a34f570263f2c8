"""The email intake's use cases (issue 11, P23–P28), a module per concern.

- ``addresses``: the support addresses with their channel, and the team's own (administrators).
- ``mailboxes``: the mailboxes to read (administrators); passwords in the keyring, or the name of
  an environment variable read at fetch time.
- ``lease``: one desk fetches a mailbox at a time.
- ``fetch``: one pass over a mailbox (``fetch_mailbox``) or every one (``fetch_all``), each
  message in its own transaction; ``messages``: what one message becomes, in that transaction.
- ``idle``: IMAP IDLE, to know at once that new mail came.
- ``log``, ``conversation``: the read models of the intake log and of a contact's messages.
- ``associate``: "Associar a um cliente…": the sender's address into a customer's record.
"""
