package dev.agentkernel.core.secret;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A {@link SecretStore} in memory, for the manager's tests (the SQLite one is tested in agentkernel-store). */
final class MemorySecretStore implements SecretStore {

    final ConcurrentSkipListMap<String, SecretRecord> records = new ConcurrentSkipListMap<>();

    @Override
    public void put(SecretRecord record) {
        records.put(record.name(), record);
    }

    @Override
    public Optional<SecretRecord> find(String name) {
        return Optional.ofNullable(records.get(name));
    }

    @Override
    public List<SecretInfo> list() {
        return records.values().stream().map(SecretRecord::info).toList();
    }

    @Override
    public int count() {
        return records.size();
    }

    @Override
    public boolean delete(String name) {
        return records.remove(name) != null;
    }
}
