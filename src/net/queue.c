/*
 * net/queue.c — the frames waiting for one receiver.
 *
 * Each NetClient owns a queue of frames sent to it while it could not
 * take them. Invariants:
 *   - order is preserved: while the queue is non-empty, new frames go to
 *     its tail even if the receiver could take them now;
 *   - a frame whose sender gave a NetSentCB is never dropped; the sender
 *     stopped when its send returned 0 and is released by the callback
 *     when the frame is delivered or purged;
 *   - frames of senders without a callback (slirp, hubs) are dropped once
 *     NET_QUEUE_MAX_PACKETS are waiting, so a stalled guest cannot make
 *     the host buffer without bound.
 * Frames are copied in: the sender's buffer (often guest memory) is free
 * again as soon as net_queue_send() returns.
 */
#include "net/net.h"

typedef struct NetPacket {
    struct NetPacket *next;
    NetClient *sender;
    NetSentCB *sent_cb;
    size_t size;
    uint8_t data[];
} NetPacket;

struct NetQueue {
    NetClient *receiver;
    NetPacket *head;
    NetPacket **tail;
    unsigned len;
    bool delivering;            /* net_queue_flush() is running */
};

NetQueue *net_queue_new(NetClient *receiver)
{
    NetQueue *q = XNEW(NetQueue);

    q->receiver = receiver;
    q->tail = &q->head;
    return q;
}

void net_queue_free(NetQueue *q)
{
    if (q) {
        net_queue_purge(q, NULL);
        free(q);
    }
}

bool net_queue_empty(const NetQueue *q)
{
    return !q->head;
}

static void net_queue_append(NetQueue *q, NetClient *sender,
                             const struct iovec *iov, int iovcnt,
                             NetSentCB *sent_cb)
{
    size_t size = net_iov_size(iov, iovcnt);
    NetPacket *p;

    if (q->len >= NET_QUEUE_MAX_PACKETS && !sent_cb) {
        return;     /* dropped: this sender cannot be held back */
    }
    p = xmalloc(sizeof(*p) + size);
    p->next = NULL;
    p->sender = sender;
    p->sent_cb = sent_cb;
    p->size = net_iov_to_buf(iov, iovcnt, 0, p->data, size);
    *q->tail = p;
    q->tail = &p->next;
    q->len++;
}

/* Hand one frame to the receiver: its length, 0 (not now) or -errno. */
static ssize_t net_queue_deliver(NetQueue *q, const struct iovec *iov,
                                 int iovcnt)
{
    NetClient *nc = q->receiver;
    ssize_t ret;

    if (nc->link_down) {
        return net_iov_size(iov, iovcnt);   /* a cable pulled: lost */
    }
    ret = nc->ops->receive(nc, iov, iovcnt);
    if (ret == 0) {
        nc->receive_disabled = true;
    }
    return ret;
}

static bool net_queue_can_deliver(NetQueue *q)
{
    NetClient *nc = q->receiver;

    return !nc->receive_disabled &&
           (!nc->ops->can_receive || nc->ops->can_receive(nc));
}

ssize_t net_queue_send(NetQueue *q, NetClient *sender,
                       const struct iovec *iov, int iovcnt,
                       NetSentCB *sent_cb)
{
    ssize_t ret;

    if (q->head || q->delivering || !net_queue_can_deliver(q)) {
        net_queue_append(q, sender, iov, iovcnt, sent_cb);
        return 0;
    }
    ret = net_queue_deliver(q, iov, iovcnt);
    if (ret == 0) {
        net_queue_append(q, sender, iov, iovcnt, sent_cb);
    }
    return ret;
}

bool net_queue_flush(NetQueue *q)
{
    if (q->delivering) {
        return !q->head;
    }
    q->delivering = true;
    while (q->head && net_queue_can_deliver(q)) {
        NetPacket *p = q->head;
        struct iovec iov = { .iov_base = p->data, .iov_len = p->size };
        ssize_t ret = net_queue_deliver(q, &iov, 1);

        if (ret == 0) {
            break;
        }
        q->head = p->next;
        if (!q->head) {
            q->tail = &q->head;
        }
        q->len--;
        /* The callback may send again: the frame lands at the tail and
         * this loop delivers it in turn. */
        if (p->sent_cb) {
            p->sent_cb(p->sender, ret);
        }
        free(p);
    }
    q->delivering = false;
    return !q->head;
}

void net_queue_purge(NetQueue *q, NetClient *sender)
{
    NetPacket *p = q->head, *dropped = NULL, **dtail = &dropped;

    /* Unlink first, call back after: a callback may send again. */
    q->head = NULL;
    q->tail = &q->head;
    q->len = 0;
    while (p) {
        NetPacket *next = p->next;

        p->next = NULL;
        if (sender && p->sender != sender) {
            *q->tail = p;
            q->tail = &p->next;
            q->len++;
        } else {
            *dtail = p;
            dtail = &p->next;
        }
        p = next;
    }
    while (dropped) {
        p = dropped;
        dropped = p->next;
        /* Released, not delivered: the sender resumes. A sender being
         * destroyed (sender != NULL) must not be called back. */
        if (p->sent_cb && !sender) {
            p->sent_cb(p->sender, 0);
        }
        free(p);
    }
}
