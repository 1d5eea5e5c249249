"""How much free text a person may type into one field, by kind of field.

Used by the models (so the admin's forms and ``full_clean`` know) and by every form that
takes free text, which then says "Ensure this value has at most 2000 characters (it has
2417)" and stops the browser from typing more (the ``maxlength`` attribute).
"""

from __future__ import annotations

from typing import Final

# A reason someone will read in a message or on a page: one or two sentences.
REASON: Final = 300
# A web address (an online meeting's link).
URL: Final = 500
# A postal address.
ADDRESS: Final = 500
# Notes and descriptions: a few paragraphs.
NOTE: Final = 2000
# A person's answer to an application question, a coordinator's notes about a person.
LONG_TEXT: Final = 5000
