"""Domain errors. Library code raises these; the CLIs turn them into one-line `Error: …` messages."""


class LstmEdgeError(Exception):
    """Base class of every error lstm-edge reports to a user."""


class ModelFileError(LstmEdgeError):
    """An ONNX model file that is missing, unreadable, foreign or inconsistent."""


class VocabularyMismatch(ModelFileError):
    """The tokenizer in a model file does not fit the width of its logits."""
