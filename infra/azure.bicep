// PALS Desk on Azure: App Service (Linux, Node 20), Azure Bot with the Teams channel, Cosmos DB for NoSQL
// without keys, one user-assigned managed identity for the bot and the database, logs in Log Analytics.
// Deployed by `atk provision` (m365agents.yml, arm/deploy) or by hand with
// `az deployment group create -g <group> -f infra/azure.bicep -p infra/azure.parameters.json` (fill in the ${{...}} first).
// Not compiled here (no Bicep CLI offline): test/unit/deploy.test.ts checks it as text only.

@minLength(4)
@maxLength(20)
@description('Start of every resource name, e.g. pals1a2b3c (lower case letters and digits).')
param resourceBaseName string

param location string = resourceGroup().location

@maxLength(42)
param botDisplayName string = 'PALS Desk'

@description('App Service plan. B1 is the smallest with Always On (the sweep runs in the app) and health checks; deployment slots need S1 or P0v3 and above.')
param webAppSku string = 'B1'

@description('Node.js on App Service for Linux. package.json asks for Node 24 (engines).')
param linuxFxVersion string = 'NODE|24-lts'

@description('Teams is a standard channel: free on F0 as on S1.')
param botSku string = 'F0'

param databaseName string = 'pals'

@allowed([
  'Continuous7Days'
  'Continuous30Days'
])
@description('Point-in-time restore window of Cosmos DB. 7 days costs nothing extra; 30 days is charged.')
param cosmosBackupTier string = 'Continuous7Days'

param logRetentionDays int = 30

@description('More app settings, e.g. TRUST_NAME and ROLE_MANAGERS_GROUPS (docs/operations.md, Settings). Each provision writes every app setting, so keep them here rather than only in the portal.')
param trustSettings object = {}

@description('The trusts file (TRUSTS_FILE, relative to the app folder): set it when the bot serves trusts in a shared tenant such as NHSmail (docs/nhsmail.md). Empty: the bot\'s own tenant is the one trust served.')
param trustsFile string = ''

@description('Proves Microsoft Graph\'s mail notifications come from the subscription PALS Desk made (MAILBOX=graph). A new one each deployment is fine: subscriptions are renewed with it.')
@secure()
param mailClientState string = '${newGuid()}${newGuid()}'

@description('Signs the case documents\' Open links (shared by every instance). A new one each deployment is fine: a link lasts 10 minutes.')
@secure()
param documentLinkSecret string = '${newGuid()}${newGuid()}'

var cosmosAccountName = toLower(resourceBaseName)
// The built-in "Cosmos DB Built-in Data Contributor" role: read and write items, read metadata; no key needed.
var cosmosDataContributor = '00000000-0000-0000-0000-000000000002'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-identity'
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: '${resourceBaseName}-logs'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

// Serverless, not autoscale: one trust uses roughly 70,000 RU a working day, peaking at a few RU/s
// (docs/scale.md), so paying per request costs far less than any provisioned minimum.
// Move to autoscale (a new account and a data copy) if one deployment serves many trusts or needs a second region.
resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: cosmosAccountName
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    // Session consistency is what the etag checks of a case change need (docs/scale.md).
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    // Entra ID and the role assignment below only: account keys are refused.
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: {
        tier: cosmosBackupTier
      }
    }
    // App Service without a virtual network reaches Cosmos DB over the internet, with Entra ID tokens over TLS.
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: cosmos
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

// The containers of src/store/cosmos.ts (CONTAINERS), made here because the data role cannot create them.
// Data is partitioned by trust (trust-*). A release 0.1 deployment keeps its cases, conversations and jobs
// containers (partitioned by tenant) until `npm run migrate` has copied them: Bicep does not delete them.
// Keep partition keys, unique keys and composite indexes identical to the code (test/unit/deploy.test.ts):
// PALS Desk would otherwise try to add an index at start-up, which only a key may do.
// Partition keys use hash version 2, the current default; ours are short ids, so both versions behave the same.
resource casesContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'trust-cases'
  properties: {
    resource: {
      id: 'trust-cases'
      partitionKey: {
        paths: [
          '/trustId'
        ]
        kind: 'Hash'
        version: 2
      }
      uniqueKeyPolicy: {
        uniqueKeys: [
          {
            paths: [
              '/reference'
            ]
          }
        ]
      }
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [
          {
            path: '/*'
          }
        ]
        compositeIndexes: [
          [
            {
              path: '/owner/aadObjectId'
              order: 'ascending'
            }
            {
              path: '/status'
              order: 'ascending'
            }
            {
              path: '/dueKey'
              order: 'ascending'
            }
            {
              path: '/reference'
              order: 'ascending'
            }
          ]
        ]
      }
    }
  }
}

resource eventsContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'events'
  properties: {
    resource: {
      id: 'events'
      partitionKey: {
        paths: [
          '/caseId'
        ]
        kind: 'Hash'
        version: 2
      }
    }
  }
}

resource conversationsContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'trust-conversations'
  properties: {
    resource: {
      id: 'trust-conversations'
      partitionKey: {
        paths: [
          '/trustId'
        ]
        kind: 'Hash'
        version: 2
      }
    }
  }
}

resource jobsContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'trust-jobs'
  properties: {
    resource: {
      id: 'trust-jobs'
      partitionKey: {
        paths: [
          '/trustId'
        ]
        kind: 'Hash'
        version: 2
      }
    }
  }
}

resource inboxContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'trust-inbox'
  properties: {
    resource: {
      id: 'trust-inbox'
      partitionKey: {
        paths: [
          '/trustId'
        ]
        kind: 'Hash'
        version: 2
      }
    }
  }
}

// The bot's identity may read and write items (data plane only: it cannot change the account or its keys).
resource cosmosDataRole 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: cosmos
  name: guid(cosmos.id, identity.id, cosmosDataContributor)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributor}'
    principalId: identity.properties.principalId
    scope: cosmos.id
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan'
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
  }
  properties: {
    reserved: true // Linux
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Any instance can serve any request (state is in Cosmos DB): no sticky sessions.
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: linuxFxVersion
      // The build in dist/, not `npm start` (which runs TypeScript through tsx, a devDependency).
      appCommandLine: 'node dist/index.js'
      // The sweep and the morning round run inside the app: it must not be unloaded when idle.
      alwaysOn: true
      healthCheckPath: '/healthz'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
  }
}

// Every setting PALS Desk reads is in docs/operations.md (Settings). The values here win over trustSettings.
resource appSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: webApp
  name: 'appsettings'
  properties: union(trustSettings, {
    HOST: '0.0.0.0'
    // PORT is set by App Service (8080).
    MicrosoftAppId: identity.properties.clientId
    MicrosoftAppType: 'UserAssignedMSI'
    MicrosoftAppTenantId: identity.properties.tenantId
    // Only people of this tenant are served, unless a trusts file names the trusts and their tenants.
    ALLOWED_TENANT_IDS: empty(trustsFile) ? identity.properties.tenantId : ''
    TRUSTS_FILE: trustsFile
    // The managed identity @azure/identity signs in with (Cosmos DB, Microsoft Graph).
    AZURE_CLIENT_ID: identity.properties.clientId
    // No COSMOS_KEY: with COSMOS_ENDPOINT alone PALS Desk signs in with the managed identity.
    COSMOS_ENDPOINT: cosmos.properties.documentEndpoint
    COSMOS_DATABASE: databaseName
    // The zip from `atk deploy` is run as it is: no build on the server.
    WEBSITE_RUN_FROM_PACKAGE: '1'
    // The package is read-only: attachments kept locally go under /home, which every instance shares.
    DOCUMENTS_DIR: '/home/pals/documents'
    // Where the case documents' Open links and Microsoft Graph's mail notifications reach PALS Desk.
    PUBLIC_URL: 'https://${webApp.properties.defaultHostName}'
    DOCUMENT_LINK_SECRET: documentLinkSecret
    MAIL_CLIENT_STATE: mailClientState
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
  })
  dependsOn: [
    cosmosDataRole
    casesContainer
    eventsContainer
    conversationsContainer
    jobsContainer
    inboxContainer
  ]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    // The bot signs in as the managed identity: no app registration and no client secret.
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: identity.properties.tenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

// Logs go to Log Analytics. PALS Desk's own lines are console logs (JSON on stdout): ids and case references, never patient data.
resource webAppDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: webApp
  properties: {
    workspaceId: logs.id
    logs: [
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

// Requests and their costs, not document contents (QueryRuntimeStatistics, which holds query text, is left off).
resource cosmosDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: cosmos
  properties: {
    workspaceId: logs.id
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        category: 'DataPlaneRequests'
        enabled: true
      }
      {
        category: 'ControlPlaneRequests'
        enabled: true
      }
      {
        category: 'PartitionKeyRUConsumption'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'Requests'
        enabled: true
      }
    ]
  }
}

// Written to env/.env.<environment> by the Toolkit; m365agents.yml and `npm run package` use them.
output AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
// For the Microsoft Graph permissions (GroupMember.Read.All, User.ReadBasic.All) given to the identity after provisioning.
output BOT_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output COSMOS_ACCOUNT_NAME string = cosmos.name
output COSMOS_ENDPOINT string = cosmos.properties.documentEndpoint
