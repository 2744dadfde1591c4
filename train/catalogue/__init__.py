"""The built-in corpus: product descriptions generated from word tables by a grammar."""
