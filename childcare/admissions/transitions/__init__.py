"""The only code that changes a status: one module per state machine.

Each module declares ``ALLOWED`` (from status -> the statuses it may go to) and offers
one function per step. A step checks the table, writes the timeline event and queues the
outbox messages in the caller's transaction. Services lock the rows first (see
``childcare.admissions.locking``) and check permissions; transitions trust them for that.
"""
