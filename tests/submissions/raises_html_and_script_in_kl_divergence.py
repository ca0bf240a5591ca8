"""Correct but kl_divergence, whose exception message and printed output are HTML that
would run script, load a remote image and close the page's own elements if a view
pasted it into a page unescaped."""

import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


HTML = ('</pre></td></tr></table></details><script>document.title="OWNED";alert(1)</script>'
        '<img src="http://example.invalid/x.png" onerror="alert(2)"><style>body{display:none}</style>\x1b[31m')


def kl_divergence(p, q):
    raise ValueError("kl " + HTML)


print(HTML)
