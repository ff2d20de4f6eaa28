// Names of generated files, properties and locals, derived from Kafka's PascalCase names.

/** ErrorCode -> errorCode, KRaftVersion -> kRaftVersion. */
export function propertyName(jsonName) {
  return jsonName[0].toLowerCase() + jsonName.slice(1);
}

/** ApiVersions -> api-versions, KRaftVersionRecord -> kraft-version-record. */
export function fileBaseName(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Local variable holding a decoded field; prefixed so no field name meets a parameter name. */
export function localName(prop) {
  return 'f' + prop[0].toUpperCase() + prop.slice(1);
}
