"""The customer's facts on the ticket view: name, member tier, phone, product, SKU and the
amount paid, so the handler can call back and settle without asking again.

The phone shows in full or masked as the policy's ``privacy`` section says for the ticket
view and the role of the person logged in (``domain.privacy``); the labels are
selectable, so a number can be copied into a phone or a message.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from domain.fold import TicketState
from domain.money import yuan_text
from domain.policy import Policy
from ui import labels
from ui.naming import named

SURFACE = "ticket_view"


class CustomerFacts(QWidget):
    """One line of what the desk knows of the customer and the purchase (empty parts hidden)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketCustomer")
        self.name = named(QLabel(), "ticketCustomerName")
        self.tier = named(QLabel(), "ticketCustomerTier")
        self.phone = named(QLabel(), "ticketPhone")
        self.customers = named(QLabel(), "ticketCustomers")
        self.product = named(QLabel(), "ticketProduct")
        self.sku = named(QLabel(), "ticketSku")
        self.amount = named(QLabel(), "ticketAmountPaid")
        self.phone.setStyleSheet("font-weight: bold;")
        # Two lines: who the customer is, and what was bought. A long product name must not
        # widen the window: it wraps in the room its line leaves; the short facts (a phone
        # number above all) stay on one line.
        self.product.setWordWrap(True)
        for label in self.parts():
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for labels_of_row in ((self.name, self.tier, self.phone, self.customers),
                              (self.product, self.sku, self.amount)):
            row = QHBoxLayout()
            for label in labels_of_row:
                row.addWidget(label, 1 if label is self.product else 0)
            row.addStretch(0)
            layout.addLayout(row)
        self.clear()

    def parts(self) -> tuple[QLabel, ...]:
        """The labels, in the order they show."""
        return (self.name, self.tier, self.phone, self.customers, self.product, self.sku,
                self.amount)

    def clear(self) -> None:
        """No ticket: nothing to show."""
        for label in self.parts():
            label.clear()
            label.hide()
        self.hide()

    def show_ticket(self, ticket: TicketState, policy: Policy, role: str | None) -> None:
        """The facts of *ticket* as someone of *role* may see them."""
        phone = policy.privacy.phone_text(ticket.customer_phone, SURFACE, role)
        tier = ticket.member_tier if ticket.member_tier not in ("", "none") else ""
        texts = {
            self.name: self.tr("Customer: {name}").format(name=ticket.customer_name)
            if ticket.customer_name else "",
            self.tier: labels.tier_label(tier) if tier else "",
            self.phone: self.tr("Phone: {phone}").format(phone=phone) if phone else "",
            self.customers: self.tr("{count} customers").format(count=ticket.customers)
            if ticket.customers > 1 else "",
            self.product: self.tr("Product: {name}").format(name=ticket.product_name)
            if ticket.product_name else "",
            self.sku: self.tr("SKU: {sku}").format(sku=ticket.product_sku)
            if ticket.product_sku else "",
            self.amount: self.tr("Paid: {amount}").format(amount=yuan_text(
                ticket.amount_paid_fen)) if ticket.amount_paid_fen is not None else "",
        }
        for label, text in texts.items():
            label.setText(text)
            label.setVisible(bool(text))
        self.setVisible(any(texts.values()))
