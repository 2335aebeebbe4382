"""govsocial: makes a government's social media measurable and open to its citizens.

Layers, imported one way: ``cli``, ``web``, ``report`` -> ``analyze``, ``collect``, ``registry``
-> ``store`` -> ``settings``, ``errors``.
"""

__version__ = "0.1.0"
