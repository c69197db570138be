"""Messages that carry workbooks: drafts written for the agent's own mail program to send,
and saved messages (``.eml``, Outlook ``.msg``) read back for their attachments.

Nothing here opens a network connection: SRADAR Desktop prepares and reads messages, the mail
program sends them. No Qt either: the windows, the command line and the tests call the same code.
"""

EML_SUFFIX = ".eml"
MSG_SUFFIX = ".msg"
MESSAGE_SUFFIXES = frozenset({EML_SUFFIX, MSG_SUFFIX})
