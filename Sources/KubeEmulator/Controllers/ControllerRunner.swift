import Foundation
import Synchronization

/// Runs the simulated controllers: `step()` runs each once in a fixed order, `settle()`
/// until a step writes nothing, and in `.auto` mode a task steps on an interval.
final class ControllerRunner: Sendable {
    private let core: EmulatorCore
    private let memory: Mutex<ControllerMemory>
    private let autoTask = Mutex<Task<Void, Never>?>(nil)

    /// Fixed order: the collector first (so deleted owners' dependents go before the
    /// workload controllers look), workloads, then scheduling, the kubelet, budgets.
    static let order: [(name: String, run: @Sendable (inout ControllerStep) -> Void)] = [
        ("namespace", NamespaceController.run),
        ("crd-finalizer", CRDFinalizerController.run),
        ("garbage-collector", GarbageCollector.run),
        ("deployment", DeploymentController.run),
        ("replicaset", ReplicaSetController.run),
        ("daemonset", DaemonSetController.run),
        ("statefulset", StatefulSetController.run),
        ("job", JobController.run),
        ("scheduler", SchedulerLite.run),
        ("kubelet", Kubelet.run),
        ("disruption", DisruptionController.run),
    ]

    init(core: EmulatorCore) {
        self.core = core
        memory = Mutex(ControllerMemory(seed: core.options.controllerSettings.seed))
        if core.options.controllers != .disabled {
            core.stepHandler.withLock { [unowned self] in $0 = { ["writes": .number(Double(self.step()))] } }
        }
    }

    /// One pass of every controller; returns how many objects were written.
    @discardableResult
    func step() -> Int {
        memory.withLock { mem in
            core.state.withLock { s in
                var step = ControllerStep(store: StoreState(registry: s.registry), memory: mem, settings: core.options.controllerSettings,
                                          admit: { [core] obj, rt throws(APIError) in try core.admit(&obj, type: rt, operation: .create) })
                step.exec = core.exec
                // Swap rather than copy, so the buckets stay uniquely referenced (no copy-on-write).
                swap(&step.store, &s)
                let enabled = core.options.controllerSettings.enabled
                for controller in Self.order where enabled?.contains(controller.name) ?? true { controller.run(&step) }
                step.memory.steps += 1
                swap(&step.store, &s)
                mem = step.memory
                return step.writes
            }
        }
    }

    /// Steps until one writes nothing; returns the steps taken (at most maxSteps).
    func settle(maxSteps: Int) -> Int {
        var taken = 0
        while taken < maxSteps {
            taken += 1
            if step() == 0 { break }
        }
        return taken
    }

    func startAuto() {
        guard case .auto(let interval) = core.options.controllers else { return }
        autoTask.withLock { task in
            guard task == nil else { return }
            task = Task { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(max(0.001, interval) * 1e9))  // cancellation ends the loop
                    if Task.isCancelled { break }
                    step()
                }
            }
        }
    }

    func stopAuto() async {
        guard let task = autoTask.withLock({ t in defer { t = nil }; return t }) else { return }
        task.cancel()
        await task.value
    }
}
