"""A syntax error on line 5, whose line is Rich markup (the summary table crashed on it)."""
import numpy as np


x = [/] [bold]oops[/bold] (
