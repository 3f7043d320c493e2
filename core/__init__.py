"""The bottom layer every app may import: the error vocabulary, the delivery core, the client address, the
rate limiter and the text cleaner. It imports no other app of the project."""
