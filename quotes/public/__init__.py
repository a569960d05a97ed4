"""The buyer's side of a sent quote behind the signed link: ``links`` (the token),
``services`` (open, accept, decline), ``views`` and ``urls`` (``/q/<token>/``, no login)."""
