# Helper module that fails while being imported (see imports.py).
VALUE = 1


def compute():
    return VALUE / 0


RESULT = compute()
