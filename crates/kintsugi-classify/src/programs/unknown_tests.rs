//! Tests for unmodelled CLIs judged by their verbs, options and names:
//! retention cut to nothing, record deletion named by the program, backup
//! pruning by age, cache collection in the cloud, realm deletion.

use crate::testutil::expect;

#[test]
fn retention_records_and_backup_pruning_destroy() {
    expect(&[
        (
            "kafka-configs --bootstrap-server k:9092 --alter --entity-type topics --entity-name p --add-config retention.ms=1",
            "catastrophic",
        ),
        (
            "kafka-configs --bootstrap-server k:9092 --alter --entity-type topics --entity-name p --add-config retention.ms=604800000",
            "ambiguous",
        ),
        (
            "kafka-delete-records --bootstrap-server k:9092 --offset-json-file o.json",
            "catastrophic",
        ),
        (
            "rdiff-backup --remove-older-than 1D /mnt/bk/home",
            "catastrophic",
        ),
        ("dvc gc -w -c -f", "catastrophic"),
        ("dvc gc -w", "ambiguous"),
        ("kcadm.sh delete realms/acme", "catastrophic"),
    ]);
}
