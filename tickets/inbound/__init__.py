"""E-mail coming in: reading a raw message into plain values (``mail.py``),
pure and without models. The services that act on it are in
``tickets/services/inbound.py``; the mailbox polling in ``imap.py``."""
