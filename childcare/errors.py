class DomainError(Exception):
    """A request the domain rules forbid; the message is translated and safe to show to the user."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))
