"""Messaging: the outbox, the channels (Kannel SMS, SMTP email, a simulated phone and mailbox) and inbound replies.

It knows nothing of offers: other apps enqueue messages (services.message_enqueue) inside their own transactions
and register the handler for incoming replies (inbound.register_reply_handler).
"""
