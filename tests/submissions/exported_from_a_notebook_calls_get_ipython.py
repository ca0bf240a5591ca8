#!/usr/bin/env python
# coding: utf-8

# # Softmax assignment
# Exported from a notebook (File > Download > .py): magics became get_ipython() calls.

# In[1]:


get_ipython().run_line_magic('matplotlib', 'inline')
get_ipython().run_line_magic('load_ext', 'autoreload')
get_ipython().run_line_magic('autoreload', '2')
get_ipython().system('pip install -q numpy')
import numpy as np
import matplotlib.pyplot as plt


# In[2]:


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


# In[3]:


display(softmax(np.array([1.0, 2.0, 3.0])))
fig, ax = plt.subplots(figsize=(4, 3))
ax.bar(range(3), softmax(np.array([1.0, 2.0, 3.0])))
ax.set_title("softmax")
plt.savefig("softmax.png")
plt.show()


# In[4]:


def cross_entropy(logits, labels):
    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())


get_ipython().run_cell_magic('time', '', 'kl_divergence(np.ones(3) / 3, np.ones(3) / 3)\n')
