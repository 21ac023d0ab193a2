"""Alerts: the outbox the pipeline writes to, the dispatcher that delivers it, and the channels."""

from crawler.alerts.channels import Channel, build_channel
from crawler.alerts.dispatcher import DeliveryReport, Dispatcher, deliver_due
from crawler.alerts.outbox import enqueue_alerts, next_delivery_time
from crawler.alerts.rendering import AlertRenderer, RenderedAlert

__all__ = [
    "AlertRenderer",
    "Channel",
    "DeliveryReport",
    "Dispatcher",
    "RenderedAlert",
    "build_channel",
    "deliver_due",
    "enqueue_alerts",
    "next_delivery_time",
]
