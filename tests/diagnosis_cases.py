"""Bugs written for the diagnosis tests, apart from the catalogue (reference/mistakes), of the
kinds issue 13 lists: each is the reference with one edit, the test it fails, and what its
diagnosis must say -- a text it must contain, or none at all.

``expect``: ("contains", text) -- the diagnosis names this; ("none",) -- no diagnosis;
("not", text) -- whatever it says, never this (a wrong explanation it used to get).
"""
from __future__ import annotations

from dataclasses import dataclass

from conftest import ROOT


@dataclass(frozen=True)
class Case:
    name: str
    assignment: str
    edits: tuple[tuple[str, str], ...]   # (old, new) replacements of the reference's source
    test: str
    expect: tuple

    def source(self) -> str:
        text = (ROOT / "reference" / f"{self.assignment}.py").read_text()
        for old, new in self.edits:
            assert old in text, (self.name, old)
            text = text.replace(old, new)
        return text


CASES = (
    # -- 1. only claims that hold: a ratio from a one-element or rank-1 output, seed-dependent
    Case("ridge_fit", "ols",
         (("    U, s, Vt = np.linalg.svd(X, full_matrices=False)",
           ("    return np.linalg.solve(X.T @ X + np.eye(X.shape[1]), X.T @ y)\n"
            "    U, s, Vt = np.linalg.svd(X, full_matrices=False)")),),
         "fit_single_sample", ("not", "times the expected value")),
    Case("predict_w0_as_intercept", "ols",
         (("    return X @ w\n", "    return w[0] + X[:, 1:] @ w[1:]\n"),),
         "predict_single_sample", ("not", "times the expected value")),
    Case("dw_times_three", "two_layer_net",  # a true constant factor keeps its claim
         (("dw = x.T @ dout", "dw = 3 * (x.T @ dout)"),),
         "affine_backward_batch", ("contains", "exactly 3 times the expected value")),
    # -- 2. exceptions matched by type, message and function
    Case("attention_transposes_wrong_axes", "attention",
         (("scores = q @ k.transpose(-2, -1)", "scores = q @ k.transpose(1, 2)"),),
         "mha_padding_mask", ("none",)),
    Case("attention_transposes_wrong_axes_in_gradients", "attention",
         (("scores = q @ k.transpose(-2, -1)", "scores = q @ k.transpose(1, 2)"),),
         "sdpa_gradients_masked", ("none",)),
    # -- 3. a match must hold wherever the mistake differs from the reference
    Case("relu_masks_with_sign_of_dout", "two_layer_net",
         (("    x = cache\n", "    x = dout\n"),),
         "relu_backward_mixed_signs", ("not", "returns dout unchanged")),
    # -- 4. pattern texts of the assignment
    Case("batchnorm_eval_updates_with_batch_of_one", "batchnorm",
         ((("            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)\n"
            "            return self.gamma * x_hat + self.beta\n"),
           ("            n = x.shape[0]\n"
            "            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * (\n"
            "                np.var(x, axis=0) * n / (n - 1))\n"
            "            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)\n"
            "            return self.gamma * x_hat + self.beta\n")),),
         "train_eval_switching", ("contains", "such as N - 1 for a batch of one sample")),
    Case("log_softmax_without_plus_max", "softmax",
         (("    return shifted - log_sum\n", "    return z - log_sum\n"),),
         "log_softmax_axes", ("not", "does not depend on the input")),
    Case("log_softmax_without_plus_max_by_rows", "softmax",
         (("    return shifted - log_sum\n", "    return z - log_sum\n"),),
         "log_softmax_rows", ("contains", "by one amount along each row of its last axis")),
    # -- 5. shapes and in-place changes
    Case("conv_output_size_without_plus_one", "conv",
         (("    return 1 + (size + 2 * pad - kernel) // stride", "    return (size + 2 * pad - kernel) // stride"),),
         "conv_forward_stride1_pad0", ("contains", "one element short")),
    Case("conv_unpads_with_minus_pad", "conv",
         (("    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]", "    dx = dx_pad[:, :, pad:-pad, pad:-pad]"),),
         "conv_backward_stride1_pad0", ("contains", "has no elements along axes 2 and 3")),
    Case("lstm_backward_changes_dnext_c", "lstm",
         (("    dc = dnext_c + dnext_h * o * (1.0 - tanh_c ** 2)",
           "    dnext_c += dnext_h * o * (1.0 - tanh_c ** 2)\n    dc = dnext_c"),),
         "step_backward_leaves_inputs_unchanged", ("contains", "changed its argument `dnext_c` in place")),
    Case("cross_entropy_inline_without_max", "softmax",
         (("    log_p = log_softmax(logits, axis=1)\n",
           "    log_p = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))\n"),),
         "cross_entropy_large_logits", ("not", "log_softmax")),
    # -- 6. pairs of catalogue mistakes of one function
    Case("batchnorm_cs231n_momentum_and_biased_var", "batchnorm",
         ((("        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu\n"
            "        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var\n"),
           ("        self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu\n"
            "        self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var\n")),),
         "running_stats_one_step", ("contains", "Matches two known mistakes made together")),
    Case("reg_without_half_and_its_gradient", "two_layer_net",
         (("    reg_loss = 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))",
           "    reg_loss = reg * (np.sum(W1 * W1) + np.sum(W2 * W2))"),
          ("    dW1 = dW1 + reg * W1", "    dW1 = dW1 + 2 * reg * W1"),
          ("    dW2 = dW2 + reg * W2", "    dW2 = dW2 + 2 * reg * W2")),
         "two_layer_net_with_reg", ("contains", "Matches two known mistakes made together")),
    # -- a mistake that leaves a function as the reference has it on some probe cannot explain a
    # student who fails there too (found by a newcomer: nan everywhere named "0 * log 0")
    Case("kl_divergence_nan_everywhere", "softmax",
         (("    return float(np.sum(p[support] * np.log(p[support] / q[support])))",
           "    return float(\"nan\")"),),
         "kl_divergence_zeros_in_p", ("not", "Matches a known mistake")),
)
