"""The PDF summary of a consolidation, as the secretariat presents it to the commission.

Sections: a title page (``title_page``); 1. the synthesis (``synthesis``: counts and shares of
each final status, completion, a bar per objective, the synthesis rule, the arbitrations); when
a previous campaign is compared, the evolution since it (``evolution``: counts of each
transition overall and per objective, with a bar per objective, and the actions that changed);
2. the actions by objective and theme with their final status, the distribution of the answers
and the arbitrations (``actions``); 3. the indicators, per respondent and in total
(``indicators``); 4. who answered and who is missing (``respondents``); an annex with every
comment and its author (``annex``). Every page says « page n / N » (``document``). The sections
are drawn with the blocks of ``blocks`` (one table builder for every table) in the styles of
``styles``; ``summary`` puts them in order.

Everything a user typed (plan texts, comments, reasons, labels) is escaped before it reaches
reportlab's paragraph markup (``text.markup``). Statuses are always written in words on their
colour.
"""

from sradar_desktop.reports.pdf.summary import render_summary_pdf, write_summary_pdf

__all__ = ["render_summary_pdf", "write_summary_pdf"]
