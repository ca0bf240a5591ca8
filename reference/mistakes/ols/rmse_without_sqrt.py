"""rmse returns the mean squared error: the square root was forgotten.

Fix: Take the square root of the mean squared error.
"""


def rmse(y, y_hat):
    return float(mse(y, y_hat))
