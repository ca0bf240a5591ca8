"""Софтмакс и перекрёстная энтропия: домашнее задание 2.

Сохранено в Windows-1251, как сохраняют старые редакторы Windows; строка coding
сообщает Python (и грейдеру), как читать файл."""
import numpy as np

ПОДСКАЗКА = "вычитаем максимум, чтобы exp не переполнялся"


def softmax(z, axis=-1):
    # вычитаем максимум по оси для устойчивости
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    сдвиг = z - z.max(axis=axis, keepdims=True)
    return сдвиг - np.log(np.exp(сдвиг).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    m = p > 0  # слагаемые с p == 0 равны нулю
    return float((p[m] * np.log(p[m] / q[m])).sum())
