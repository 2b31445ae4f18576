"""One module per part of the PDF, in the order of :data:`~winnow_reporter.pdf.SECTIONS`.

Each ``*_section(story, report, ...)`` appends its heading and content to the story; a
section without data gets a one-line note, never an error.
"""
