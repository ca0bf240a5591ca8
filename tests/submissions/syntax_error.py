"""A syntax error on line 4."""
import numpy as np

def softmax(z, axis=-1)
    return z
