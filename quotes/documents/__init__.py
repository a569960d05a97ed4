"""The quote's printed document: its context (``context``) and the PDF renderer (``pdf``)."""
