"""Customer receipts (受理回执, 补偿凭证, 完结单) as PDFs for the 80 mm roll and A4.

``layout`` breaks Chinese lines, ``content`` says what each receipt holds, ``pdf`` draws
it with reportlab, ``issue`` records each print as an event on the ticket, ``settings``
holds what a desk configures (light: no reportlab). Import the modules themselves.
"""
