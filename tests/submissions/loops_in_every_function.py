"""Every function of the softmax assignment loops forever: each of the 18 tests would
cost a full time limit, unless a function that timed out is not called again."""


def softmax(z, axis=-1):
    while True:
        pass


def log_softmax(z, axis=-1):
    while True:
        pass


def cross_entropy(logits, labels):
    while True:
        pass


def kl_divergence(p, q):
    while True:
        pass
