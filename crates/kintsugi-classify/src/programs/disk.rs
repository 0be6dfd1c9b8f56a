//! Block devices: dd, mkfs*, wipefs, partitioners (write forms only),
//! blkdiscard, LVM/ZFS/mdadm destruction. Read-only forms (`fdisk -l`) pass.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;
use crate::paths::is_block_device;

fn devices(e: &Walker, c: &Cmd) -> Vec<String> {
    c.positional()
        .iter()
        .map(|w| e.path(&w.text))
        .filter(|p| is_block_device(p) || p.starts_with("/dev/"))
        .collect()
}

/// `cryptsetup close`, `mdadm --stop`: opening, closing or assembling
/// devices is a change; status, dumps and details only read.
fn storage_change(n: &str, c: &Cmd) -> bool {
    match n {
        "cryptsetup" => !matches!(
            c.sub(0),
            "status" | "luksDump" | "isLuks" | "luksUUID" | "tcryptDump" | "benchmark" | ""
        ),
        "mdadm" => {
            c.has(&[
                "--stop",
                "--assemble",
                "--add",
                "--remove",
                "--fail",
                "--grow",
                "--run",
                "--readonly",
                "--readwrite",
                "--manage",
            ]) || c.short('S')
                || c.short('A')
                || c.short('G')
        }
        _ => false,
    }
}

pub(crate) fn handle(e: &mut Walker, c: &Cmd) -> bool {
    let n = c.name.as_str();
    let write = |e: &mut Walker, dev: String, what: &str| {
        e.add(Effect::DiskWrite {
            device: dev,
            what: what.into(),
        })
    };
    // `tune2fs -l DEV`, `dumpe2fs -h DEV`: print the superblock; any other
    // tune2fs option rewrites it (a change a person should see).
    if matches!(n, "tune2fs" | "dumpe2fs" | "e2label") {
        let lists = n == "dumpe2fs"
            || c.args
                .iter()
                .all(|a| !a.text.starts_with('-') || a.text == "-l")
                && (n == "e2label" && c.positional().len() < 2 || c.has(&["-l"]));
        if !lists {
            e.add(Effect::Change {
                program: n.into(),
                what: "changes a filesystem's superblock settings".into(),
            });
        }
        return true;
    }
    if n.starts_with("mkfs")
        || matches!(
            n,
            "mke2fs"
                | "mkswap"
                | "mkdosfs"
                | "mkntfs"
                | "mkexfatfs"
                | "newfs"
                | "newfs_msdos"
                | "newfs_apfs"
        )
    {
        if c.dry_run() || c.short('n') || c.short('V') && c.args.len() == 1 {
            return true;
        }
        let devs = devices(e, c);
        match devs.into_iter().next() {
            Some(d) => write(e, d, n),
            None if c.positional().iter().any(|w| w.dynamic) => {
                write(e, "a device chosen at run time".into(), n)
            }
            None => {
                if let Some(f) = c
                    .positional()
                    .iter()
                    .find(|w| !w.text.chars().all(|ch| ch.is_ascii_digit()))
                {
                    let p = e.path(&f.text);
                    e.add(Effect::Overwrite {
                        path: p,
                        append: false,
                    });
                }
            }
        }
        return true;
    }
    if n == "diskutil" {
        let sub = c.sub(0);
        if matches!(
            sub,
            "eraseDisk"
                | "zeroDisk"
                | "randomDisk"
                | "secureErase"
                | "eraseVolume"
                | "partitionDisk"
                | "reformat"
        ) || sub == "apfs"
            && matches!(c.sub(1), "deleteContainer" | "deleteVolume" | "eraseVolume")
        {
            write(
                e,
                c.positional()
                    .last()
                    .map(|w| w.text.clone())
                    .unwrap_or_default(),
                "diskutil erase",
            );
        }
        return true;
    }
    if matches!(n, "ddrescue" | "dcfldd" | "badblocks" | "dc3dd") {
        let target = c.positional().last().map(|w| e.path(&w.text));
        let of = c
            .args
            .iter()
            .find_map(|a| a.text.strip_prefix("of=").map(|v| e.path(v)));
        let dev = of.or(target).filter(|p| is_block_device(p));
        let writes = n != "badblocks" || c.short('w') || c.short('n');
        if let Some(d) = dev
            && writes
        {
            write(e, d, n);
        }
        return true;
    }
    match n {
        "dd" => {
            let mut of = None;
            for a in &c.args {
                if let Some(v) = a.text.strip_prefix("of=") {
                    of = Some(e.path(v));
                }
            }
            let src_inf = c.args.iter().any(|a| {
                matches!(
                    a.text.as_str(),
                    "if=/dev/zero" | "if=/dev/urandom" | "if=/dev/random"
                )
            });
            let bounded = c.args.iter().any(|a| a.text.starts_with("count="));
            match of {
                Some(p) if is_block_device(&p) => write(e, p, "dd"),
                Some(p) if src_inf && !bounded && !p.starts_with("/dev/null") => {
                    write(e, p, "fills the disk with an unbounded write")
                }
                Some(p) => e.add(Effect::Overwrite {
                    path: p,
                    append: false,
                }),
                None => {}
            }
            true
        }
        "wipefs" => {
            if (c.short('a') || c.long("--all") || c.short('o') || c.long("--offset"))
                && !(c.short('n') || c.long("--no-act"))
            {
                for d in devices(e, c) {
                    write(e, d, "wipefs");
                }
                // A device named at run time (`wipefs -a "$DISK"`, `$(lsblk
                // …)`) may be any disk; an image file is a file rewritten.
                let offset = c
                    .opt(&["-o", "--offset", "-t", "--types"])
                    .map(|w| w.text.clone());
                for w in c.positional() {
                    if Some(&w.text) == offset.as_ref() {
                        continue;
                    }
                    let p = e.path(&w.text);
                    if w.dynamic {
                        write(e, p, "wipefs of a device named at run time");
                    } else if !p.starts_with("/dev/") {
                        e.add(Effect::Overwrite {
                            path: p,
                            append: false,
                        });
                    }
                }
            }
            true
        }
        "blkdiscard" | "nvme" | "hdparm" | "cryptsetup" | "mdadm" => {
            let destructive = match n {
                "blkdiscard" => true,
                "nvme" => matches!(c.sub(0), "format" | "sanitize" | "write-zeroes"),
                "hdparm" => c.args.iter().any(|a| {
                    a.text.starts_with("--security-erase") || a.text == "--trim-sector-ranges"
                }),
                "cryptsetup" => matches!(
                    c.sub(0),
                    "luksFormat"
                        | "erase"
                        | "luksErase"
                        | "reencrypt"
                        | "luksKillSlot"
                        | "luksRemoveKey"
                ),
                _ => c.long("--zero-superblock") || c.long("--create") || c.short('C'),
            };
            let destructive = destructive || n == "cryptsetup" && c.sub(0) == "luksHeaderRestore";
            if destructive && !c.dry_run() {
                let d = devices(e, c)
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| "a device".into());
                write(e, d, n);
            } else if storage_change(n, c) {
                e.add(Effect::Change {
                    program: n.into(),
                    what: format!("changes which storage devices are open ({})", c.sub(0)),
                });
            }
            true
        }
        "dmsetup" => {
            match c.sub(0) {
                // Tearing down mappings under mounted filesystems (LVM
                // volumes, LUKS devices) or replacing their table with an
                // error target loses the data in flight and what sits on them.
                "remove_all" | "wipe_table" => write(e, "every device-mapper device".into(), n),
                // `dmsetup message POOL 0 'delete 1'`: a thin volume deleted.
                "message"
                    if c.args
                        .iter()
                        .any(|a| a.text.trim_start().starts_with("delete")) =>
                {
                    write(e, "a thin volume".into(), n)
                }
                "remove" if c.short('f') || c.long("--force") => write(
                    e,
                    c.positional()
                        .last()
                        .map(|w| w.text.clone())
                        .unwrap_or_default(),
                    n,
                ),
                "ls" | "info" | "status" | "table" | "deps" | "targets" | "version" | "help"
                | "splitname" | "udevcookies" | "" => {}
                sub => e.add(Effect::Change {
                    program: n.into(),
                    what: format!("changes device-mapper devices (`{sub}`)"),
                }),
            }
            true
        }
        // Shrinking a logical volume cuts off the data past the new size.
        "lvreduce" => {
            if !c.has(&["--test", "-t"]) && !c.dry_run() {
                let v = c
                    .positional()
                    .last()
                    .map(|w| w.text.clone())
                    .unwrap_or_default();
                write(e, v, n);
            }
            true
        }
        "fdisk" | "sfdisk" | "gdisk" | "cfdisk" | "cgdisk" | "parted" | "sgdisk" => {
            let read = c.short('l')
                || c.long("--list")
                || c.short('s') && n == "fdisk"
                || c.short('d') && n == "sfdisk"
                || c.long("--dump")
                || c.short('p') && n == "sgdisk"
                || c.long("--print")
                || c.short('v') && n == "sgdisk";
            let parted_read = n == "parted"
                && (c.short('l')
                    || c.long("--list")
                    || c.positional().iter().skip(1).all(|w| {
                        matches!(
                            w.text.as_str(),
                            "print" | "p" | "unit" | "s" | "B" | "MiB" | "GB" | "free"
                        )
                    }) && c.positional().len() > 1);
            let sgdisk_write = n == "sgdisk"
                && c.args.iter().any(|a| {
                    let t = a.text.as_str();
                    t.starts_with("-Z")
                        || t.starts_with("--zap")
                        || t.starts_with("-o")
                        || t.starts_with("--clear")
                        || t.starts_with("-n")
                        || t.starts_with("--new")
                        || t.starts_with("-d")
                        || t.starts_with("--delete")
                        || t.starts_with("-g")
                        || t.starts_with("-R")
                        || t.starts_with("-G")
                        || t.starts_with("-t")
                        || t.starts_with("--typecode")
                        || t.starts_with("-c")
                });
            if (read || parted_read) && !sgdisk_write {
                return true;
            }
            if n == "sgdisk" && !sgdisk_write {
                return true;
            }
            let d = devices(e, c)
                .into_iter()
                .next()
                .unwrap_or_else(|| "a disk".into());
            write(e, d, n);
            true
        }
        "pvremove" | "vgremove" | "lvremove" | "zpool" | "zfs" | "btrfs" => {
            let destroy = match n {
                "zpool" => matches!(c.sub(0), "destroy" | "labelclear"),
                "zfs" => matches!(c.sub(0), "destroy" | "rollback"),
                "btrfs" => {
                    c.sub(0) == "subvolume" && c.sub(1) == "delete"
                        || c.sub(0) == "device" && c.sub(1) == "remove"
                }
                _ => true,
            };
            // `zfs destroy -n`, `lvremove --test`: simulated, nothing changes.
            let simulated = matches!(n, "zfs" | "zpool") && c.short('n')
                || n.ends_with("remove") && c.has(&["--test", "-t"]);
            if destroy && !c.dry_run() && !simulated {
                write(
                    e,
                    c.positional()
                        .last()
                        .map(|w| w.text.clone())
                        .unwrap_or_default(),
                    n,
                );
            }
            true
        }
        // Firmware: writing or erasing the flash chip can leave the machine
        // unable to boot; reading, verifying and probing change nothing.
        "flashrom" => {
            if c.short('w') || c.long("--write") || c.short('E') || c.long("--erase") {
                write(e, "firmware".into(), "flashrom");
            } else if c.args.iter().any(|a| a.text.starts_with("--wp-")) {
                e.add(Effect::Change {
                    program: n.into(),
                    what: "changes the flash chip's write protection".into(),
                });
            }
            true
        }
        // `blockdev --getsize64 DEV`, `--report`: queries; `--setro`,
        // `--flushbufs`, `--rereadpt`, `--setra …` change the device.
        "blockdev" => {
            let queries = c.args.iter().all(|a| {
                !a.text.starts_with('-')
                    || a.text.starts_with("--get")
                    || matches!(a.text.as_str(), "--report" | "-v" | "-q")
            });
            if !queries {
                e.add(Effect::Change {
                    program: n.into(),
                    what: "changes a block device's settings".into(),
                });
            }
            true
        }
        "mount" | "umount" | "swapon" | "swapoff" | "losetup" | "partprobe" => {
            if !c.args.is_empty()
                && !c.short('l')
                && !(n == "losetup" && (c.short('a') || c.long("--list")))
            {
                e.add(Effect::Change {
                    program: n.into(),
                    what: "changes mounted filesystems or devices".into(),
                });
            }
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod family_tests {
    use crate::testutil::expect;

    #[test]
    fn classifies() {
        expect(&[
            ("tune2fs -l /dev/sda1", "safe"),
            ("sudo blockdev --getsize64 /dev/sda", "safe"),
            ("blockdev --report", "safe"),
            ("sudo blockdev --setro /dev/sdb", "ambiguous"),
            ("blockdev --flushbufs /dev/sda", "ambiguous"),
            ("dumpe2fs -h /dev/sda1", "safe"),
            ("tune2fs -c 0 /dev/sda1", "ambiguous"),
            ("e2label /dev/sdb1", "safe"),
            ("e2label /dev/sdb1 data", "ambiguous"),
            ("zfs destroy -nv tank/data", "safe"),
            ("zfs destroy -r tank/data", "catastrophic"),
            ("lvremove --test vg0/data", "safe"),
            ("dd if=/dev/zero of=/dev/sda", "catastrophic"),
            ("dd if=a of=b", "ambiguous"),
            ("mkfs.ext4 /dev/sdb1", "catastrophic"),
            ("fdisk -l", "safe"),
            ("wipefs -a /dev/sdb", "catastrophic"),
            ("wipefs /dev/sdb", "safe"),
            ("shred /dev/sda", "catastrophic"),
            ("echo x > /dev/sda", "catastrophic"),
            ("parted /dev/sda print", "safe"),
            ("sgdisk --zap-all /dev/sda", "catastrophic"),
            ("blkdiscard /dev/nvme0n1", "catastrophic"),
            ("flashrom -p internal -w bios.rom", "catastrophic"),
            (
                "sudo flashrom --programmer ch341a_spi --erase",
                "catastrophic",
            ),
            ("flashrom -p internal -r backup.rom", "safe"),
            ("flashrom -p internal --wp-disable", "ambiguous"),
        ]);
    }

    /// Device mapper, LUKS and RAID: teardown and shrinking destroy,
    /// opening and closing are changes, listings read.
    #[test]
    fn storage_stacks() {
        expect(&[
            ("dmsetup remove_all", "catastrophic"),
            ("sudo dmsetup remove_all --force", "catastrophic"),
            ("dmsetup remove -f vg0-data", "catastrophic"),
            ("dmsetup wipe_table vg0-home", "catastrophic"),
            ("dmsetup message pool 0 'delete 1'", "catastrophic"),
            ("wipefs -a \"$DISK\"", "catastrophic"),
            ("wipefs -a $(lsblk -ndo PATH | grep sd)", "catastrophic"),
            ("wipefs -a disk.img", "ambiguous"),
            ("wipefs -a /tmp/scratch/disk.img", "safe"),
            ("dmsetup message pool 0 'create_thin 2'", "ambiguous"),
            ("lvreduce -L -10G vg0/data", "catastrophic"),
            (
                "cryptsetup luksHeaderRestore /dev/sdb --header-backup-file h.img",
                "catastrophic",
            ),
            ("dmsetup remove vg0-scratch", "ambiguous"),
            ("cryptsetup close cryptdata", "ambiguous"),
            ("mdadm --stop /dev/md0", "ambiguous"),
            ("dmsetup table vg0-root", "safe"),
            ("dmsetup deps", "safe"),
            ("cryptsetup luksDump /dev/sda2", "safe"),
            ("mdadm --detail /dev/md0", "safe"),
            ("lvreduce --test -L 5G vg0/data", "safe"),
        ]);
    }
}
