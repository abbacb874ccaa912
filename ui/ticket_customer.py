"""The customer's facts on the ticket view: name, member tier, phone, product, SKU and the
amount paid, so the handler can call back and settle without asking again.

The phone shows in full or masked as the policy's ``privacy`` section says for the ticket
view and the role of the person logged in (``desktop.privacy``); the labels are
selectable, so a number can be copied into a phone or a message.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from desktop.money import yuan_text
from desktop.policy import Policy
from local_db.projection import TicketState
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
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label in self.parts():
            # Long product names must not widen the window: they wrap inside their label.
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            layout.addWidget(label)
        layout.addStretch(1)
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
