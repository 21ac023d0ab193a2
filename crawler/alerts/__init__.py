"""Alerts: the dispatcher that delivers the outbox (filled by crawler/store/outbox.py), messages, channels."""

from crawler.alerts.channels import Channel, build_channel
from crawler.alerts.dispatcher import DeliveryReport, Dispatcher, deliver_due
from crawler.alerts.rendering import AlertRenderer, RenderedAlert

__all__ = [
    "AlertRenderer",
    "Channel",
    "DeliveryReport",
    "Dispatcher",
    "RenderedAlert",
    "build_channel",
    "deliver_due",
]
