//! Events files: TOML (`[[event]]` tables) or JSON (an array of objects, one object, or one
//! object per line). Values become text; numbers are remembered so that an amount written as
//! a number is refused rather than passed through floating point.

use super::InputError;
use crate::posting::event::RawEvent;

/// One event read from a file, with where it stands there ("第 3 个事件", "第 12 行").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedEvent {
    pub place: String,
    pub raw: RawEvent,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    event: Vec<toml::Table>,
}

pub fn parse(text: &str, format: super::voucher_file::Format) -> Result<Vec<PlacedEvent>, Vec<InputError>> {
    use super::voucher_file::Format;
    let whole = |message: String| vec![InputError { position: 0, column: None, message }];
    let mut events = Vec::new();
    let mut errors = Vec::new();
    match format {
        Format::Toml => {
            let file: TomlFile = toml::from_str(text).map_err(|e| whole(format!("TOML 格式错误：{e}")))?;
            for (index, table) in file.event.into_iter().enumerate() {
                let place = format!("第 {} 个事件", index + 1);
                match from_toml(table) {
                    Ok(raw) => events.push(PlacedEvent { place, raw }),
                    Err(message) => {
                        errors.push(InputError { position: 0, column: None, message: format!("{place}：{message}") })
                    }
                }
            }
        }
        Format::Json => {
            let trimmed = text.trim_start();
            let whole_value: Option<serde_json::Value> = serde_json::from_str(text).ok();
            let objects: Vec<(String, serde_json::Value)> = match whole_value {
                Some(serde_json::Value::Array(items)) => {
                    items.into_iter().enumerate().map(|(i, v)| (format!("第 {} 个事件", i + 1), v)).collect()
                }
                Some(value @ serde_json::Value::Object(_)) => vec![("第 1 个事件".to_string(), value)],
                Some(_) => return Err(whole("JSON 内容应为事件对象、事件数组，或每行一个事件对象".into())),
                None if trimmed.starts_with('[') => {
                    let reason = serde_json::from_str::<serde_json::Value>(text).err().map(|e| e.to_string());
                    return Err(whole(format!("JSON 格式错误：{}", reason.unwrap_or_default())));
                }
                None => {
                    // JSON Lines: one object per line.
                    let mut objects = Vec::new();
                    for (index, line) in text.lines().enumerate() {
                        if line.trim().is_empty() {
                            continue;
                        }
                        match serde_json::from_str(line) {
                            Ok(value) => objects.push((format!("第 {} 行", index + 1), value)),
                            Err(e) => errors.push(InputError {
                                position: index as u64 + 1,
                                column: None,
                                message: format!("JSON 格式错误：{e}"),
                            }),
                        }
                    }
                    objects
                }
            };
            for (place, value) in objects {
                match from_json(value) {
                    Ok(raw) => events.push(PlacedEvent { place, raw }),
                    Err(message) => {
                        errors.push(InputError { position: 0, column: None, message: format!("{place}：{message}") })
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if events.is_empty() {
        return Err(whole("文件中没有事件".into()));
    }
    Ok(events)
}

fn from_toml(table: toml::Table) -> Result<RawEvent, String> {
    let mut raw = RawEvent::default();
    for (key, value) in table {
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::Integer(i) => {
                raw.numeric.insert(key.clone());
                i.to_string()
            }
            toml::Value::Float(f) => {
                raw.numeric.insert(key.clone());
                f.to_string()
            }
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Array(_) | toml::Value::Table(_) => return Err(format!("字段 {key} 不能是数组或表")),
        };
        raw.fields.insert(key, text);
    }
    Ok(raw)
}

fn from_json(value: serde_json::Value) -> Result<RawEvent, String> {
    let serde_json::Value::Object(map) = value else {
        return Err("事件应为 JSON 对象".into());
    };
    let mut raw = RawEvent::default();
    for (key, value) in map {
        let text = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => {
                raw.numeric.insert(key.clone());
                n.to_string()
            }
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => continue,
            _ => return Err(format!("字段 {key} 不能是数组或对象")),
        };
        raw.fields.insert(key, text);
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::voucher_file::Format;

    #[test]
    fn toml_json_array_and_json_lines_read_alike() {
        let toml = "[[event]]\nid = \"E1\"\nkind = \"transfer_out\"\ndate = 2023-03-01\nfund = \"employee\"\nparty = \"city\"\namount = \"5.00\"\n";
        let array = r#"[{"id": "E1", "kind": "transfer_out", "date": "2023-03-01", "fund": "employee", "party": "city", "amount": "5.00"}]"#;
        let one = "{\"id\": \"E1\", \"kind\": \"transfer_out\", \"date\": \"2023-03-01\", \"fund\": \"employee\", \"party\": \"city\", \"amount\": \"5.00\"}";
        let lines = format!("{one}\n\n{}\n", one.replace("E1", "E2"));
        let a = parse(toml, Format::Toml).unwrap();
        let b = parse(array, Format::Json).unwrap();
        let c = parse(&lines, Format::Json).unwrap();
        assert_eq!(a[0].raw, b[0].raw);
        assert_eq!(b[0].raw, c[0].raw);
        assert_eq!((a[0].place.as_str(), c[1].place.as_str()), ("第 1 个事件", "第 3 行"));
        assert_eq!(c[1].raw.id(), Some("E2"));
        assert_eq!(a[0].raw.digest(), c[0].raw.digest());
    }

    #[test]
    fn numbers_are_remembered_and_bad_lines_reported() {
        let lines = "{\"id\": \"E1\", \"amount\": 5.5}\n{not json}\n";
        let errors = parse(lines, Format::Json).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].position, 2);
        let ok = parse("{\"id\": \"E1\", \"amount\": 5.5}", Format::Json).unwrap();
        assert!(ok[0].raw.numeric.contains("amount"));
    }
}
