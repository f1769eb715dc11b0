import NIOCore

/// The association's timers as a channel handler: ARTIM (PS3.8 9.1.5), started and stopped by the state
/// machine's effects, and an inactivity timer that fires when nothing has been read for a while (the
/// DIMSE timeout of a requestor, the idle timeout of an acceptor). When one fires, a
/// `NetworkError.timeout` goes down the pipeline as an error, and the association reads it from its
/// inbound stream like any other failure.
final class AssociationTimers: ChannelDuplexHandler {
  typealias InboundIn = PDU
  typealias InboundOut = PDU
  typealias OutboundIn = PDU
  typealias OutboundOut = PDU

  /// `touch` restarts the inactivity timer, as a read would: activity seen elsewhere for this association.
  enum Command: Sendable { case startARTIM, stopARTIM, touch }

  let artim: TimeAmount
  let inactivity: TimeAmount?
  private var artimTask: Scheduled<Void>?
  private var inactivityTask: Scheduled<Void>?

  init(artim: TimeAmount, inactivity: TimeAmount?) {
    self.artim = artim
    self.inactivity = inactivity
  }

  func channelActive(context: ChannelHandlerContext) {
    rearmInactivity(context: context)
    context.fireChannelActive()
  }

  func handlerAdded(context: ChannelHandlerContext) {
    if context.channel.isActive { rearmInactivity(context: context) }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    rearmInactivity(context: context)
    context.fireChannelRead(data)
  }

  func channelInactive(context: ChannelHandlerContext) {
    cancelAll()
    context.fireChannelInactive()
  }

  func handlerRemoved(context: ChannelHandlerContext) { cancelAll() }

  func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
    guard let command = event as? Command else {
      context.triggerUserOutboundEvent(event, promise: promise)
      return
    }
    switch command {
    case .startARTIM:
      artimTask?.cancel()
      let seconds = Double(artim.nanoseconds) / 1e9
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      artimTask = context.eventLoop.scheduleTask(in: artim) {
        // ARTIM expiry means AA-2, close the transport, in every state where it runs: done here on the
        // event loop, so that a busy process still drops silent peers on time. The association reads
        // the error and then the close, and its state machine follows.
        loopBound.value.fireErrorCaught(NetworkError.timeout(.artim, seconds: seconds))
        loopBound.value.close(promise: nil)
      }
    case .stopARTIM:
      artimTask?.cancel()
      artimTask = nil
    case .touch:
      rearmInactivity(context: context)
    }
    promise?.succeed()
  }

  private func rearmInactivity(context: ChannelHandlerContext) {
    inactivityTask?.cancel()
    guard let inactivity else { return }
    let seconds = Double(inactivity.nanoseconds) / 1e9
    let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
    inactivityTask = context.eventLoop.scheduleTask(in: inactivity) {
      loopBound.value.fireErrorCaught(NetworkError.timeout(.dimse, seconds: seconds))
    }
  }

  private func cancelAll() {
    artimTask?.cancel()
    inactivityTask?.cancel()
    artimTask = nil
    inactivityTask = nil
  }
}
