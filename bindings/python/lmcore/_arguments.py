"""Checks of Python arguments before they cross into C: ctypes would otherwise wrap an int into
int32 silently (2**32 + 3 becomes 3), truncate floats passed as counts (2.7 becomes 2) and turn
non-text into bytes (translate([1, 2]) would translate NUL strings)."""
import numbers
import operator

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def integer(name, value, minimum=0, maximum=INT32_MAX):
    """`value` as an int in [minimum, maximum]; ints and numpy integers only (not bool or float)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, not bool")
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}") from None
    if not minimum <= v <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {v}")
    return v


def real(name, value):
    """`value` as a float; ints, floats and numpy numbers only (not bool or str)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    return float(value)


def token_id(name, value):
    """A token id: an integer that fits lmcore's int32 ids (the library checks the vocabulary)."""
    return integer(name, value, minimum=-(2**31), maximum=INT32_MAX)


def text(name, value):
    """UTF-8 bytes of a str (or bytes as given); anything else is a TypeError."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise TypeError(f"{name} must be a str, not {type(value).__name__}")
