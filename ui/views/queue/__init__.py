"""Contactos: the queue view, its table model, the contact detail and the new-contact dialog."""
